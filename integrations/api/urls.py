"""The ERP's webservices under /api/v1/erp/ (integration role)."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("integrations.webservices.urls")),
]
