"""Loyalty API v1, included at /api/v1/ (URL names in the ``v1`` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("loyalty/", views.LoyaltyAccountView.as_view(), name="loyalty-account"),
    path("loyalty/history/", views.LoyaltyHistoryView.as_view(), name="loyalty-history"),
    path("loyalty/adjustments/", views.LoyaltyAdjustView.as_view(), name="loyalty-adjust"),
]
