"""API v1 routes of shipments (see logistics/api/urls.py)."""

from django.urls import path

from . import shipments

urlpatterns = [
    path("orders/<str:number>/shipments/", shipments.OrderShipmentsView.as_view(), name="order-shipments"),
    path("shipments/<int:shipment_id>/label/", shipments.ShipmentLabelView.as_view(), name="shipment-label"),
    path(
        "shipments/<int:shipment_id>/events/", shipments.ShipmentEventsView.as_view(), name="shipment-events"
    ),
]
