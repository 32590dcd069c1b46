"""Websocket routes of the inventory app (mounted by config.asgi behind the token/session auth)."""

from django.urls import path

from .consumers import AvailabilityConsumer, StockConsumer

# Channels routes consumers with django.urls.path, as its docs show; django-stubs only allow HTTP views there.
websocket_urlpatterns = [
    path("ws/stock/", StockConsumer.as_asgi(), name="ws-stock"),  # type: ignore[arg-type]
    path("ws/availability/", AvailabilityConsumer.as_asgi(), name="ws-availability"),  # type: ignore[arg-type]
]
