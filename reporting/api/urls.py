"""/api/v1/reports/: the dashboard's figures for the pages and for outside tools (same scoping)."""

from django.urls import path

from . import sales

urlpatterns = [
    path("sales/", sales.SalesReportView.as_view(), name="reports-sales"),
]
