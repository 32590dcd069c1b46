"""Read-side queries for stock: the API, the websocket snapshot and the staff grid use these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import F, Max, QuerySet

from .models import StockLevel, StockMovement

if TYPE_CHECKING:
    from catalog.models import Variant


def stock_levels(
    *, skus: Iterable[str] | None = None, location_codes: Iterable[str] | None = None
) -> QuerySet:
    """Levels as plain rows: sku, location, on_hand, reserved, available, version. One query."""
    qs = StockLevel.objects.all()
    if skus is not None:
        qs = qs.filter(variant__sku__in=list(skus))
    if location_codes is not None:
        qs = qs.filter(location__code__in=list(location_codes))
    return (
        qs.annotate(
            sku=F("variant__sku"), location_code=F("location__code"), available=F("on_hand") - F("reserved")
        )
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


# --- availability: what the shop, the checkout and the registers may sell --------------------------


def available_online(variant: Variant | int) -> int:
    """The most units one online location (active, selling online) can sell now; an order ships from
    one location. One query."""
    best = (
        StockLevel.objects.filter(
            variant_id=getattr(variant, "pk", variant), location__sells_online=True, location__is_active=True
        )
        .annotate(free=F("on_hand") - F("reserved"))
        .aggregate(best=Max("free"))["best"]
    )
    return max(best or 0, 0)


def available_by_location(
    *, variant_ids: Iterable[int], location_ids: Iterable[int]
) -> dict[tuple[int, int], int]:
    """``{(variant_id, location_id): units available}`` (never below zero) for the pairs that have a
    level; a pair without one has nothing. One query."""
    variant_ids, location_ids = list(variant_ids), list(location_ids)
    if not variant_ids or not location_ids:
        return {}
    rows = StockLevel.objects.filter(variant_id__in=variant_ids, location_id__in=location_ids).values_list(
        "variant_id", "location_id", "on_hand", "reserved"
    )
    return {(v, loc): max(on_hand - reserved, 0) for v, loc, on_hand, reserved in rows}


def available_at_stores(*, first_variant_id: int, last_variant_id: int) -> list[tuple[int, int, str, int]]:
    """``(variant_id, location_id, location_code, available)`` at every active store, for the variants
    with an id from ``first_variant_id`` to ``last_variant_id`` (a page of the register's catalog).
    One query."""
    from .models import LocationKind

    rows = StockLevel.objects.filter(
        variant_id__gte=first_variant_id,
        variant_id__lte=last_variant_id,
        location__kind=LocationKind.STORE,
        location__is_active=True,
    ).values_list("variant_id", "location_id", "location__code", "on_hand", "reserved")
    return [(v, loc, code, on_hand - reserved) for v, loc, code, on_hand, reserved in rows]


def lot_taken_by(*, variant_id: int, reference: str) -> tuple[str, dt.date | None] | None:
    """``(batch, expiry_date)`` of the first lot a document (a sale, by its number) took units of this
    variant from, or None (no lot-tracked movement). A return puts units back into that batch."""
    movement = (
        StockMovement.objects.filter(
            variant_id=variant_id, reference=reference, lot__isnull=False, quantity__lt=0
        )
        .select_related("lot")
        .order_by("id")
        .first()
    )
    if movement is None:
        return None
    return movement.lot.batch, movement.lot.expiry_date


# --- ledger audit: manage.py check_stock ----------------------------------------------------------


@dataclass(frozen=True)
class LedgerMismatch:
    """One place where the stock tables disagree with the ledger.

    ``problem`` is one of: ``on_hand`` / ``reserved`` (the level differs from the ledger sum),
    ``no_ledger`` (a non-zero level that no ledger row explains), ``no_level`` (ledger rows for a pair
    that has no level), ``lots`` (a lot-tracked level whose lots do not add up to on hand), ``lot`` (a
    lot whose quantity differs from the ledger rows naming it; ``batch`` says which).
    """

    sku: str
    location: str
    problem: str
    level: int | None
    ledger: int | None
    batch: str = ""


@dataclass
class LedgerReport:
    levels_checked: int
    mismatches: list[LedgerMismatch]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def check_ledger() -> LedgerReport:
    """Compare every level (and lot) with the ledger: five GROUP BY / scan queries, whatever the size.

    On PostgreSQL, outside a caller's transaction, the queries share one REPEATABLE READ snapshot, so a
    check run while the shops are selling sees a consistent picture and reports no false mismatch.
    """
    from django.db import connection, transaction
    from django.db.models import Sum

    from catalog.models import Variant

    from .models import Location, StockLot, StockMovement

    with transaction.atomic():
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
            # Our own transaction, nothing run in it yet: take one snapshot for every query below.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        ledger = {
            (row["variant_id"], row["location_id"]): (row["q"], row["r"])
            for row in StockMovement.objects.order_by()
            .values("variant_id", "location_id")
            .annotate(q=Sum("quantity"), r=Sum("reserved_delta"))
        }
        lot_sums = {
            (row["variant_id"], row["location_id"]): row["s"]
            for row in StockLot.objects.order_by()
            .values("variant_id", "location_id")
            .annotate(s=Sum("quantity"))
        }
        lot_ledger = dict(
            StockMovement.objects.filter(lot__isnull=False)
            .order_by()
            .values("lot_id")
            .annotate(q=Sum("quantity"))
            .values_list("lot_id", "q")
        )
        raw: list[tuple[int, int, str, int | None, int | None, str]] = []
        checked = 0
        levels = (
            StockLevel.objects.order_by()
            .values_list("variant_id", "location_id", "on_hand", "reserved", "variant__product__tracks_lots")
            .iterator(chunk_size=10_000)
        )
        for variant_id, location_id, on_hand, reserved, tracked in levels:
            checked += 1
            key = (variant_id, location_id)
            sums = ledger.pop(key, None)
            if sums is None:
                if on_hand or reserved:
                    raw.append((variant_id, location_id, "no_ledger", on_hand, 0, ""))
            else:
                if on_hand != sums[0]:
                    raw.append((variant_id, location_id, "on_hand", on_hand, sums[0], ""))
                if reserved != sums[1]:
                    raw.append((variant_id, location_id, "reserved", reserved, sums[1], ""))
            if tracked and lot_sums.get(key, 0) != on_hand:
                raw.append((variant_id, location_id, "lots", on_hand, lot_sums.get(key, 0), ""))
        for (variant_id, location_id), (q, _r) in ledger.items():
            raw.append((variant_id, location_id, "no_level", None, q, ""))
        for lot_id, variant_id, location_id, batch, quantity in (
            StockLot.objects.order_by().values_list("id", "variant_id", "location_id", "batch", "quantity")
        ).iterator(chunk_size=10_000):
            expected = lot_ledger.get(lot_id, 0)
            if quantity != expected:
                raw.append((variant_id, location_id, "lot", quantity, expected, batch))

        skus = (
            dict(Variant.objects.filter(pk__in={r[0] for r in raw}).values_list("pk", "sku")) if raw else {}
        )
        codes = (
            dict(Location.objects.filter(pk__in={r[1] for r in raw}).values_list("pk", "code")) if raw else {}
        )
    mismatches = [
        LedgerMismatch(
            sku=skus.get(v, f"#{v}"),
            location=codes.get(loc, f"#{loc}"),
            problem=p,
            level=lv,
            ledger=lg,
            batch=b,
        )
        for v, loc, p, lv, lg, b in raw
    ]
    mismatches.sort(key=lambda m: (m.location, m.sku, m.problem, m.batch))
    return LedgerReport(levels_checked=checked, mismatches=mismatches)


# --- the staff stock grid: /stock/ ----------------------------------------------------------------


@dataclass(frozen=True)
class CategoryOption:
    id: int
    parent_id: int | None
    name: str
    depth: int


def grid_category_options() -> list[CategoryOption]:
    """Every category in tree order (each parent followed by its children), with its depth. One query."""
    from catalog.models import Category

    rows = list(Category.objects.order_by("position", "name", "pk"))
    children: dict[int | None, list] = {}
    for category in rows:
        children.setdefault(category.parent_id, []).append(category)
    known = {category.pk for category in rows}
    options: list[CategoryOption] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            options.append(CategoryOption(category.pk, category.parent_id, category.name, depth))
            walk(category.pk, depth + 1)

    walk(None, 0)
    for category in rows:  # a parent we could not reach (should not happen): list it anyway
        if category.parent_id is not None and category.parent_id not in known:
            options.append(CategoryOption(category.pk, category.parent_id, category.name, 0))
    return options


def descendant_category_ids(options: Iterable[CategoryOption], root_id: int) -> set[int]:
    """``root_id`` and every category below it, from ``grid_category_options()`` (no query)."""
    children: dict[int | None, list[int]] = {}
    for option in options:
        children.setdefault(option.parent_id, []).append(option.id)
    found, todo = set(), [root_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def grid_variants(
    *,
    search: str = "",
    category_ids: Iterable[int] | None = None,
    low_stock_location_ids: Iterable[int] | None = None,
) -> QuerySet:
    """Active variants for the grid's rows, with their product, by product name then position.

    ``search`` matches the SKU, the EAN (prefix) or the product name in any language;
    ``low_stock_location_ids`` keeps variants at or under their low-stock threshold at one of them.
    """
    from django.conf import settings
    from django.db.models import Exists, OuterRef, Q

    from catalog.models import Variant

    qs = Variant.objects.filter(is_active=True).select_related("product")
    search = search.strip()
    if search:
        match = Q(sku__icontains=search) | Q(ean13__startswith=search) | Q(product__name__icontains=search)
        for code, _name in settings.LANGUAGES:
            match |= Q(**{f"product__name_{code.replace('-', '_')}__icontains": search})
        qs = qs.filter(match)
    if category_ids is not None:
        qs = qs.filter(product__category_id__in=list(category_ids))
    if low_stock_location_ids is not None:
        low = StockLevel.objects.filter(
            variant_id=OuterRef("pk"),
            location_id__in=list(low_stock_location_ids),
            low_stock_threshold__isnull=False,
            low_stock_threshold__gte=F("on_hand") - F("reserved"),
        )
        qs = qs.filter(Exists(low))
    return qs.order_by("product__name", "product_id", "position", "sku")


def grid_cells(
    *, variant_ids: Iterable[int], location_ids: Iterable[int]
) -> dict[tuple[int, int], dict[str, Any]]:
    """``{(variant_id, location_id): {on_hand, reserved, available, version, threshold, low}}``. One query."""
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    rows = StockLevel.objects.filter(
        variant_id__in=list(variant_ids), location_id__in=list(location_ids)
    ).values_list("variant_id", "location_id", "on_hand", "reserved", "version", "low_stock_threshold")
    for variant_id, location_id, on_hand, reserved, version, threshold in rows:
        available = on_hand - reserved
        cells[(variant_id, location_id)] = {
            "on_hand": on_hand,
            "reserved": reserved,
            "available": available,
            "version": version,
            "threshold": threshold,
            "low": threshold is not None and available <= threshold,
        }
    return cells
