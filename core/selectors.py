"""Read-side figures for the landing page."""

from typing import TypedDict

from django.db.models import Count, Q, Sum

from catalog.models import Product, Variant
from inventory.models import Location, StockAlert, StockLevel


class PlatformOverview(TypedDict):
    locations: list[Location]  # active ones, each annotated with ``skus_in_stock``
    products: int
    variants: int
    on_hand: int
    reserved: int
    open_alerts: int


def platform_overview() -> PlatformOverview:
    """Headline figures: four queries whatever the catalog size."""
    stock = StockLevel.objects.aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    return {
        "locations": list(
            Location.objects.filter(is_active=True)
            .annotate(skus_in_stock=Count("stock_levels", filter=Q(stock_levels__on_hand__gt=0)))
            .order_by("kind", "name")
        ),
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        "on_hand": stock["on_hand"] or 0,
        "reserved": stock["reserved"] or 0,
        "open_alerts": StockAlert.objects.filter(acknowledged_at__isnull=True).count(),
    }
