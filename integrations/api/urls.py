"""The ERP's webservices under /api/v1/erp/ (integration role)."""

from django.urls import URLPattern, URLResolver, include, path

from integrations.exports import api as exports_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("integrations.webservices.urls")),
    path("erp/batches/<int:batch_id>/ack/", exports_api.BatchAckView.as_view(), name="erp-batch-ack"),
]
