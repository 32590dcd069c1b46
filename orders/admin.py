from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_scope import StoreScopedAdmin
from accounts.models import User
from core.auth import signed_in_user
from core.errors import ApplicationError

from .models import NotificationLog, Order, OrderAction, OrderLine, OrderStatusChange
from .services import pickup


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    fields = readonly_fields = (
        "sku",
        "name",
        "quantity",
        "unit_price_net",
        "vat_rate",
        "discount_gross",
        "total_gross",
        "quantity_cancelled",
        "quantity_returned",
        "quantity_refunded",
        "refunded_gross",
        "reservation",
    )
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderLine]:
        return super().get_queryset(request).select_related("reservation")


class OrderStatusChangeInline(admin.TabularInline[OrderStatusChange, Order]):
    model = OrderStatusChange
    fields = readonly_fields = ("created_at", "from_status", "to_status", "user", "note")
    extra = 0
    can_delete = False


class NotificationLogInline(admin.TabularInline[NotificationLog, Order]):
    model = NotificationLog
    fields = readonly_fields = (
        "kind",
        "channel",
        "reference",
        "recipient",
        "attempts",
        "sent_at",
        "last_error",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


class OrderActionInline(admin.TabularInline[OrderAction, Order]):
    """The audit rows of after-sales actions (orders.services.after_sales): read-only."""

    model = OrderAction
    fields = readonly_fields = (
        "created_at",
        "kind",
        "user",
        "reason",
        "amount",
        "shipping_amount",
        "via",
        "lines_display",
        "refund_ids",
        "external_reference",
        "key",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderAction]:
        return super().get_queryset(request).select_related("user")

    @admin.display(description=_("Lines"))
    def lines_display(self, obj: OrderAction) -> str:
        return ", ".join(f"{row['quantity']} x {row['sku']} ({row['amount']})" for row in obj.lines or [])


@admin.register(Order)
class OrderAdmin(StoreScopedAdmin, admin.ModelAdmin[Order]):
    """Orders change only through orders.services: everything here is read-only. A store manager sees
    their store's orders: its till sales and the web orders collected there (home deliveries leave from
    the warehouse)."""

    store_field = "location"

    list_display = [
        "number",
        "channel",
        "status",
        "delivery_method",
        "location",
        "email",
        "total_gross",
        "currency",
        "created_at",
    ]
    list_filter = ["channel", "status", "delivery_method", "location", "currency"]
    list_select_related = ["location"]
    search_fields = ["number", "email", "reference", "lines__sku"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, OrderStatusChangeInline, OrderActionInline, NotificationLogInline]
    actions = ["mark_ready_for_pickup", "mark_collected"]
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    @admin.action(description=_("Mark ready for pickup"))
    def mark_ready_for_pickup(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._run(request, queryset, pickup.mark_ready_for_pickup, _("Ready for pickup"))

    @admin.action(description=_("Mark collected"))
    def mark_collected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._run(request, queryset, pickup.collect_order, _("Collected"))

    def _run(
        self,
        request: HttpRequest,
        queryset: QuerySet[Order],
        service: Callable[..., Any],
        label: str | Promise,
    ) -> None:
        """Call the service once per order (each its own transaction); report done and refused."""
        user: User = signed_in_user(request.user)  # admin actions run for staff only
        done: list[str] = []
        refused: list[str] = []
        for order in queryset.select_related("location").order_by("pk"):
            try:
                service(order=order, user=user)
            except ApplicationError as exc:
                refused.append(f"{order.number}: {exc.message}")
            else:
                done.append(order.number)
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(label)s: %(count)d order (%(numbers)s).",
                    "%(label)s: %(count)d orders (%(numbers)s).",
                    len(done),
                )
                % {"label": label, "count": len(done), "numbers": ", ".join(done)},
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, _("Refused: %(reason)s") % {"reason": reason}, messages.WARNING)
