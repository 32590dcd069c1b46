"""The products' availability table (``ProductAvailability``): rebuilt from the stock levels.

Every stock write moves the rows it changes in its own transaction (``levels._move_availability``);
this rebuild is for what those deltas cannot see: a variant switched on or off in the catalog (its
units join or leave its product's figure), the first fill (migration ``inventory/0004``) and
``manage.py check_availability --fix``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from catalog.events import ProductsChanged

from ..models import ProductAvailability, StockLevel


@transaction.atomic
def rebuild_availability(*, product_ids: Iterable[int] | None = None) -> int:
    """Set the availability rows of these products (every product when None) to what their levels say.
    Returns how many rows changed.

    The existing rows are locked first (location, product order, as the stock writers take them), then
    the levels are summed in a new statement: a stock write that holds a row we need has committed by
    then and is counted; one that comes after waits for us and adds its delta to what we wrote.
    """
    rows = ProductAvailability.objects.select_for_update().order_by("location_id", "product_id")
    levels = StockLevel.objects.filter(variant__is_active=True)
    if product_ids is not None:
        wanted = sorted(set(product_ids))
        if not wanted:
            return 0
        rows = rows.filter(product_id__in=wanted)
        levels = levels.filter(variant__product_id__in=wanted)
    current = {(r.location_id, r.product_id): r for r in rows}
    truth = {
        (row["location_id"], row["variant__product_id"]): row["units"]
        for row in levels.order_by()
        .values("location_id", "variant__product_id")
        .annotate(units=Sum(F("on_hand") - F("reserved")))
    }
    now = timezone.now()
    changed = []
    for key, row in current.items():
        units = truth.pop(key, 0)
        if row.available_units != units:
            row.available_units, row.updated_at = units, now
            changed.append(row)
    ProductAvailability.objects.bulk_update(changed, ["available_units", "updated_at"], batch_size=1000)
    ProductAvailability.objects.bulk_create(
        [
            ProductAvailability(location_id=location_id, product_id=product_id, available_units=units)
            for (location_id, product_id), units in sorted(truth.items())
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(changed) + len(truth)


def on_products_changed(event: ProductsChanged) -> None:
    """Subscriber (after commit) of ``catalog.products_changed``: a variant may have been switched on
    or off, so recount these products' rows."""
    rebuild_availability(product_ids=event.product_ids)
