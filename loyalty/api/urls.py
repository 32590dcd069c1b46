"""Loyalty API v1, included at /api/v1/ (URL names in the ``v1`` namespace)."""

from django.urls import path

from . import till, views

urlpatterns = [
    path("loyalty/", views.LoyaltyAccountView.as_view(), name="loyalty-account"),
    path("loyalty/history/", views.LoyaltyHistoryView.as_view(), name="loyalty-history"),
    path("loyalty/adjustments/", views.LoyaltyAdjustView.as_view(), name="loyalty-adjust"),
    # the till (register users): identify a customer, their card, points into a voucher
    path("loyalty/customers/", till.TillCustomerLookupView.as_view(), name="loyalty-till-customers"),
    path(
        "loyalty/customers/<int:customer_id>/",
        till.TillCustomerView.as_view(),
        name="loyalty-till-customer",
    ),
    path(
        "loyalty/customers/<int:customer_id>/vouchers/",
        till.TillConvertView.as_view(),
        name="loyalty-till-convert",
    ),
]
