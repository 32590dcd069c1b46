"""Payment pages under the language prefix (the test provider's hosted page, return URLs)."""

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("test/<uuid:payment_id>/", views.test_page, name="test-page"),
    path("stripe/<uuid:payment_id>/", views.stripe_page, name="stripe-page"),
    path("stripe/<uuid:payment_id>/return/", views.stripe_return, name="stripe-return"),
    path("stripe/<uuid:payment_id>/cancel/", views.stripe_cancel, name="stripe-cancel"),
    path("paypal/return/", views.paypal_return, name="paypal-return"),
    path("paypal/cancel/", views.paypal_cancel, name="paypal-cancel"),
]
