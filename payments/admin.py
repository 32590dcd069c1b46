"""Read-only admin: payments are written by the services only (webhooks, the shopper, refunds)."""

from decimal import Decimal

from django.contrib import admin
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import StoreScopedAdmin

from .models import Payment, PaymentEvent, Refund, RefundStatus, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = readonly_fields = ("created_at", "kind", "from_status", "to_status", "source", "note")


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = readonly_fields = (
        "created_at",
        "amount",
        "currency",
        "status",
        "key",
        "provider_reference",
        "reason",
        "error",
    )


@admin.register(Payment)
class PaymentAdmin(StoreScopedAdmin, ReadOnlyAdmin):
    store_field = "order__location"
    list_display = [
        "created_at",
        "order",
        "provider",
        "status",
        "amount",
        "refunded",
        "currency",
        "amount_eur",
        "provider_reference",
    ]
    list_filter = ["provider", "status", "currency", "created_at"]
    search_fields = ["order__number", "provider_reference", "capture_reference", "id"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    exclude = ["client_secret"]
    readonly_fields = ["refunded"]
    inlines = [RefundInline, PaymentEventInline]

    def get_queryset(self, request):
        live = Q(refunds__status__in=[RefundStatus.PENDING, RefundStatus.SUCCEEDED])
        return super().get_queryset(request).annotate(refunded_total=Sum("refunds__amount", filter=live))

    @admin.display(description=_("Refunded"), ordering="refunded_total")
    def refunded(self, obj):
        """Live (pending or succeeded) refunds: a payment refunded in part stays captured."""
        return getattr(obj, "refunded_total", None) or Decimal("0.00")


@admin.register(Refund)
class RefundAdmin(StoreScopedAdmin, ReadOnlyAdmin):
    store_field = "payment__order__location"
    list_display = [
        "created_at",
        "payment",
        "amount",
        "currency",
        "status",
        "key",
        "provider_reference",
        "reason",
    ]
    list_filter = ["status", "currency", "payment__provider"]
    search_fields = ["payment__order__number", "provider_reference"]
    date_hierarchy = "created_at"
    list_select_related = ["payment"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(StoreScopedAdmin, ReadOnlyAdmin):
    store_field = "payment__order__location"
    list_display = ["received_at", "provider", "type", "event_id", "result", "processed_at"]
    list_filter = ["provider", "type", "result"]
    search_fields = ["event_id"]
    date_hierarchy = "received_at"
