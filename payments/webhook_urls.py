"""Provider webhooks: no language prefix, no session, no CSRF (each is verified by its signature)."""

app_name = "payments-webhooks"

urlpatterns: list = []
