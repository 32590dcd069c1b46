from django.contrib import admin

from accounts.admin_scope import StoreScopedAdmin
from core import events

from . import services
from .events import PricesChanged
from .models import Coupon, CouponRedemption, CurrencyRate, PriceList, PriceListEntry, Promotion


class RefreshesStorefrontMixin(admin.ModelAdmin):
    """Rates, price lists and promotions change what every storefront page shows: an edit publishes
    ``PricesChanged`` inside the admin's transaction (the storefront drops its cached pages after commit)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        events.publish(PricesChanged())

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        events.publish(PricesChanged())

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        events.publish(PricesChanged())


@admin.register(CurrencyRate)
class CurrencyRateAdmin(RefreshesStorefrontMixin, admin.ModelAdmin):
    list_display = ["currency", "rate", "updated_at"]
    search_fields = ["currency"]


class PriceListEntryInline(admin.TabularInline):
    model = PriceListEntry
    raw_id_fields = ["variant"]
    extra = 0


@admin.register(PriceList)
class PriceListAdmin(StoreScopedAdmin, RefreshesStorefrontMixin, admin.ModelAdmin):
    store_field = "location"  # chain-wide lists (no location): chain-wide roles only
    list_display = [
        "code",
        "name",
        "company",
        "customer_group",
        "shop",
        "channel",
        "location",
        "priority",
        "is_active",
    ]
    list_filter = ["channel", "shop", "location", "customer_group", "is_active"]
    list_select_related = ["company", "customer_group", "shop", "location"]
    search_fields = ["code", "name", "company__name"]
    autocomplete_fields = ["company"]
    inlines = [PriceListEntryInline]

    # A deleted entry (or list) changes its variants' prices with nothing left to stamp: the
    # variants are stamped instead, so the tills' catalog delta carries their new prices.
    def save_formset(self, request, form, formset, change):
        if formset.model is PriceListEntry:
            gone = [f.instance.variant_id for f in formset.deleted_forms if f.instance.pk]
            services.note_entries_removed(variant_ids=gone)
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        services.note_entries_removed(variant_ids=obj.entries.values_list("variant_id", flat=True))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        entries = PriceListEntry.objects.filter(price_list__in=queryset)
        services.note_entries_removed(variant_ids=entries.values_list("variant_id", flat=True))
        super().delete_queryset(request, queryset)


class CouponInline(admin.TabularInline):
    model = Coupon
    readonly_fields = ["times_used"]
    extra = 0


@admin.register(Promotion)
class PromotionAdmin(StoreScopedAdmin, RefreshesStorefrontMixin, admin.ModelAdmin):
    store_field = "location"  # chain-wide promotions (no location): chain-wide roles only
    list_display = [
        "name",
        "kind",
        "value",
        "location",
        "channel",
        "starts_at",
        "ends_at",
        "requires_coupon",
        "is_active",
    ]
    list_filter = ["kind", "channel", "shops", "location", "requires_coupon", "is_active"]
    list_select_related = ["location"]
    filter_horizontal = ["shops"]  # none: every shop and the stores
    date_hierarchy = "starts_at"
    search_fields = ["name", "coupons__code"]
    inlines = [CouponInline]


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(StoreScopedAdmin, admin.ModelAdmin):
    store_field = "coupon__promotion__location"
    list_display = ["coupon", "reference", "customer_email", "discount_ttc", "created_at"]
    search_fields = ["coupon__code", "reference", "customer_email"]
    list_filter = ["coupon__promotion"]
    date_hierarchy = "created_at"
    list_select_related = ["coupon"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
