from django.contrib import admin

from .models import NumberSequence, Order, OrderLine, OrderStatusChange


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


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    fields = ["created_at", "from_status", "to_status", "user", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False


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
    inlines = [OrderLineInline, OrderStatusChangeInline]
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "last_value"]
    readonly_fields = ["name", "last_value"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
