"""The ERP's webservices under /api/v1/erp/ (integration role)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
