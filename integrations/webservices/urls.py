"""/api/v1/erp/ routes (included by ``integrations.api.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("erp/products/", views.ErpProductView.as_view(), name="erp-products"),
    path("erp/customers/", views.ErpCustomerView.as_view(), name="erp-customers"),
    path("erp/prices/", views.ErpPricesView.as_view(), name="erp-prices"),
    path("erp/orders/", views.ErpOrdersView.as_view(), name="erp-orders"),
]
