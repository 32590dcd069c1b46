"""/api/v1/reports/: the dashboard's figures for the pages and for outside tools (same scoping)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []  # type: ignore[type-arg]
