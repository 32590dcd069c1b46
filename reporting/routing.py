"""Websocket routes of the dashboard (mounted by config.asgi behind the token/session auth)."""

from django.urls import path

from .consumers import DashboardConsumer

websocket_urlpatterns = [
    path("ws/dashboard/", DashboardConsumer.as_asgi(), name="ws-dashboard"),  # type: ignore[arg-type]
]
