from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import ApplicationError

from .models import NotificationLog, Order, OrderLine, OrderStatusChange
from .services import pickup


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = [
        "sku",
        "name",
        "quantity",
        "unit_price_net",
        "vat_rate",
        "discount_gross",
        "total_gross",
        "reservation",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reservation")


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    fields = ["created_at", "from_status", "to_status", "user", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class NotificationLogInline(admin.TabularInline):
    model = NotificationLog
    fields = ["kind", "channel", "recipient", "attempts", "sent_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders change only through orders.services: everything here is read-only."""

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
    inlines = [OrderLineInline, OrderStatusChangeInline, NotificationLogInline]
    actions = ["mark_ready_for_pickup", "mark_collected"]
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark ready for pickup"))
    def mark_ready_for_pickup(self, request, queryset):
        self._run(request, queryset, pickup.mark_ready_for_pickup, _("Ready for pickup"))

    @admin.action(description=_("Mark collected"))
    def mark_collected(self, request, queryset):
        self._run(request, queryset, pickup.collect_order, _("Collected"))

    def _run(self, request, queryset, service, label) -> None:
        """Call the service once per order (each its own transaction); report done and refused."""
        done, refused = [], []
        for order in queryset.select_related("location").order_by("pk"):
            try:
                service(order=order, user=request.user)
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
