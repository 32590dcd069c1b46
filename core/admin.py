from django.contrib import admin
from django.http import HttpRequest

from .models import IdempotencyRecord, NumberSequence


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin[IdempotencyRecord]):
    """Read-only: records are written by core.idempotency and purged by core.tasks."""

    list_display = ("created_at", "scope", "user", "method", "path", "status_code", "key")
    list_filter = ("method", "status_code")
    search_fields = ("key", "scope", "path", "user__email")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in IdempotencyRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: IdempotencyRecord | None = None) -> bool:
        return False


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin[NumberSequence]):
    list_display = ["name", "last_value"]
    readonly_fields = ["name", "last_value"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: NumberSequence | None = None) -> bool:
        return False
