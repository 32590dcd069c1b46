"""/api/v1/reports/: the dashboard's figures for the pages and for outside tools (same scoping)."""

from django.urls import path

from .conversion import ConversionView

urlpatterns = [
    path("conversion/", ConversionView.as_view(), name="reports-conversion"),
]
