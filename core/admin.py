from django.contrib import admin

from .models import IdempotencyRecord, NumberSequence


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """Read-only: records are written by core.idempotency and purged by core.tasks."""

    list_display = ("created_at", "scope", "user", "method", "path", "status_code", "key")
    list_filter = ("method", "status_code")
    search_fields = ("key", "scope", "path", "user__email")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in IdempotencyRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "last_value"]
    readonly_fields = ["name", "last_value"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
