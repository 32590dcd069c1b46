"""/api/v1/reports/: the dashboard's figures for the pages and for outside tools (same scoping)."""

from django.urls import path

from . import customers, sales, stock
from .conversion import ConversionView

urlpatterns = [
    path("sales/", sales.SalesReportView.as_view(), name="reports-sales"),
    path("stock/", stock.StockReportView.as_view(), name="reports-stock"),
    path("customers/", customers.CustomersReportView.as_view(), name="reports-customers"),
    path("conversion/", ConversionView.as_view(), name="reports-conversion"),
]
