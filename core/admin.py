from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbox
from .models import IdempotencyRecord, NumberSequence, OutboxMessage, OutboxStatus


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


class DeliveredFilter(admin.SimpleListFilter):
    title = _("delivered")
    parameter_name = "delivered"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[OutboxMessage]
    ) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> QuerySet[OutboxMessage]:
        if self.value() in ("yes", "no"):
            return queryset.filter(delivered_at__isnull=self.value() == "no")
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    """Read-only: the outbox (core.outbox). "Retry now" relays pending or failed messages at once."""

    list_display = (
        "created_at",
        "task_name",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "delivered_at",
        "last_error",
    )
    list_filter = ("status", DeliveredFilter, "task_name")
    search_fields = ("=id", "task_name", "key", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.change_outboxmessage")

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        ids = list(queryset.exclude(status=OutboxStatus.SENT).values_list("pk", flat=True))
        result = outbox.retry_now(ids=ids)
        level = messages.WARNING if result.failed else messages.SUCCESS
        self.message_user(
            request,
            ngettext(
                "%(published)d message published, %(failed)d still pending.",
                "%(published)d messages published, %(failed)d still pending.",
                len(result.published),
            )
            % {"published": len(result.published), "failed": len(result.failed)},
            level,
        )
