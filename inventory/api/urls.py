"""Stock API v1, included at /api/v1/ (URL names in the ``v1`` namespace: ``v1:stock-levels``, ...)."""

from django.urls import path

from . import views

urlpatterns = [
    path("stock/", views.StockLevelListView.as_view(), name="stock-levels"),
    path("stock/movements/", views.StockMovementView.as_view(), name="stock-movements"),
    path("stock/counts/", views.StockCountView.as_view(), name="stock-counts"),
    path("stock/transfers/", views.StockTransferView.as_view(), name="stock-transfers"),
    path("stock/reservations/", views.ReservationCreateView.as_view(), name="stock-reservations"),
    path(
        "stock/reservations/<str:reservation_id>/release/",
        views.ReservationReleaseView.as_view(),
        name="stock-reservation-release",
    ),
    path(
        "stock/reservations/<str:reservation_id>/commit/",
        views.ReservationCommitView.as_view(),
        name="stock-reservation-commit",
    ),
]
