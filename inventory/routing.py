"""Websocket routes of the inventory app (mounted by config.asgi behind the token/session auth)."""

from django.urls import path

from .consumers import AvailabilityConsumer, StockConsumer

websocket_urlpatterns = [
    path("ws/stock/", StockConsumer.as_asgi(), name="ws-stock"),
    path("ws/availability/", AvailabilityConsumer.as_asgi(), name="ws-availability"),
]
