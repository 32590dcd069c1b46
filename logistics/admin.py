from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Carrier, ShippingRate, ShippingZone


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "delivery_days", "is_active"]
    list_filter = ["is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "code"]


class ShippingRateInline(admin.TabularInline):
    model = ShippingRate
    fields = ["carrier", "max_weight_grams", "price", "free_above", "is_active"]
    extra = 0


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "country_list"]
    search_fields = ["name"]
    inlines = [ShippingRateInline]

    @admin.display(description=_("Countries"))
    def country_list(self, obj: ShippingZone) -> str:
        return ", ".join(obj.countries or [])


@admin.register(ShippingRate)
class ShippingRateAdmin(admin.ModelAdmin):
    list_display = ["zone", "carrier", "max_weight_grams", "price", "free_above", "is_active"]
    list_filter = ["zone", "carrier", "is_active"]
    search_fields = ["zone__name", "carrier__name"]
    list_select_related = ["zone", "carrier"]


from . import admin_returns  # noqa: E402, F401  (portal returns: its own module)
