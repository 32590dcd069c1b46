"""Order batches in the admin: read-only (a batch's content never changes), with the file to
download as it was sent. Viewing needs ``integrations.view_orderbatch``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path

from .models import ExportedDocument, OrderBatch


class ExportedDocumentInline(admin.TabularInline[ExportedDocument, OrderBatch]):
    model = ExportedDocument
    fields = ("position", "document_key", "kind", "order")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OrderBatch)
class OrderBatchAdmin(admin.ModelAdmin[OrderBatch]):
    list_display = (
        "id",
        "file_name",
        "status",
        "order_count",
        "document_count",
        "attempts",
        "created_at",
        "sent_at",
        "acknowledged_at",
    )
    list_filter = ("status", "file_format")
    search_fields = ("file_name", "documents__document_key")
    date_hierarchy = "created_at"
    exclude = ("content",)
    readonly_fields = (
        "status", "profile", "file_format", "file_name", "content_hash", "document_count",
        "order_count", "cursor_from", "cursor_to", "attempts", "created_at", "sent_at",
        "acknowledged_at", "acknowledged_via",
    )  # fmt: skip
    inlines = [ExportedDocumentInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:batch_id>/file/",
                self.admin_site.admin_view(self.download),
                name="integrations_orderbatch_file",
            ),
            *super().get_urls(),
        ]

    def download(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        batch = self.get_object(request, str(batch_id))
        if batch is None or not self.has_view_permission(request, batch):
            return HttpResponse(status=404)
        response = HttpResponse(bytes(batch.content), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{batch.file_name}"'
        return response
