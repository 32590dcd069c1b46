"""Payment pages under the language prefix (the test provider's hosted page, return URLs)."""

app_name = "payments"

urlpatterns: list = []
