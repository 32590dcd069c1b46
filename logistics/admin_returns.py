"""Admin of portal returns (RMA): every request with its lines, the filter "damaged returns" (units
recorded damaged at inspection: no stock came back for them) and "ask the label again" for a failed
return label. Store-bound users see the returns received at their store (``StoreScopedAdmin``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import StoreScopedAdmin
from core.errors import ApplicationError

from . import services_returns
from .returns_models import ReturnRequest, ReturnRequestLine, ReturnRequestStatus


class DamagedFilter(admin.SimpleListFilter):
    title = _("damaged returns")
    parameter_name = "damaged"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("With damaged units")), ("no", _("Without damaged units"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(lines__quantity_damaged__gt=0).distinct()
        if self.value() == "no":
            return queryset.exclude(lines__quantity_damaged__gt=0)
        return queryset


class ReturnRequestLineInline(admin.TabularInline):
    model = ReturnRequestLine
    fields = [
        "order_line",
        "quantity",
        "reason",
        "comment",
        "quantity_resellable",
        "quantity_damaged",
        "refund_gross",
    ]
    readonly_fields = (
        "order_line",
        "quantity",
        "reason",
        "comment",
        "quantity_resellable",
        "quantity_damaged",
        "refund_gross",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(StoreScopedAdmin, admin.ModelAdmin):
    store_field = "received_at_location"
    list_display = [
        "number",
        "order",
        "status",
        "method",
        "refund_choice",
        "received_at_location",
        "refund_amount",
        "damaged_units",
        "created_at",
    ]
    list_filter = ["status", "method", "refund_choice", DamagedFilter]
    list_select_related = ["order", "received_at_location"]
    search_fields = ["number", "order__number", "tracking_number"]
    date_hierarchy = "created_at"
    inlines = [ReturnRequestLineInline]
    actions = ["retry_label"]
    readonly_fields = [f.name for f in ReturnRequest._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Damaged"))
    def damaged_units(self, obj: ReturnRequest) -> int:
        return sum(line.quantity_damaged for line in obj.lines.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("lines")

    @admin.action(description=_("Ask the carrier for the return label again"))
    def retry_label(self, request: HttpRequest, queryset: QuerySet[ReturnRequest]) -> None:
        done = 0
        for rma in queryset.filter(status=ReturnRequestStatus.LABEL_FAILED):
            try:
                services_returns.retry_return_label(request=rma)
            except ApplicationError as exc:
                self.message_user(request, f"{rma.number}: {exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("%(n)s label(s) asked again.") % {"n": done})
