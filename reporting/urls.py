"""The dashboard's pages at /dashboard/ (namespace ``reporting``). Each concern keeps its views in its
own module; add its routes here."""

from django.urls import path

from . import views_conversion, views_customers, views_overview, views_sales, views_stock

app_name = "reporting"

urlpatterns = [
    path("", views_overview.overview, name="overview"),
    path("sales/", views_sales.sales_page, name="sales"),
    path("stock/", views_stock.stock, name="stock"),
    path("customers/", views_customers.customers, name="customers"),
    path("conversion/", views_conversion.conversion, name="conversion"),
]
