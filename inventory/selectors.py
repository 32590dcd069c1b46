"""Read-side queries for stock: the API, the websocket snapshot and the staff grid use these."""

from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet

from .models import StockLevel


def stock_levels(*, skus: Iterable[str] | None = None, location_codes: Iterable[str] | None = None) -> QuerySet:
    """Levels as plain rows: sku, location, on_hand, reserved, available, version. One query."""
    qs = StockLevel.objects.all()
    if skus is not None:
        qs = qs.filter(variant__sku__in=list(skus))
    if location_codes is not None:
        qs = qs.filter(location__code__in=list(location_codes))
    return (
        qs.annotate(sku=F("variant__sku"), location_code=F("location__code"), available=F("on_hand") - F("reserved"))
        .order_by("location__code", "variant__sku")
        .values("sku", "location_code", "on_hand", "reserved", "available", "version")
    )


def level_rows(**filters: Any) -> list[dict[str, Any]]:
    """``stock_levels`` with ``location`` as the key the API and the websocket speak."""
    return [
        {
            "sku": row["sku"],
            "location": row["location_code"],
            "on_hand": row["on_hand"],
            "reserved": row["reserved"],
            "available": row["available"],
            "version": row["version"],
        }
        for row in stock_levels(**filters)
    ]
