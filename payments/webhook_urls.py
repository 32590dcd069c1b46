"""Provider webhooks: no language prefix, no session, no CSRF (each is verified by its signature)."""

from django.urls import path

from . import views

app_name = "payments-webhooks"

urlpatterns = [
    path("stripe/", views.stripe_webhook, name="stripe"),
    path("paypal/", views.paypal_webhook, name="paypal"),
]
