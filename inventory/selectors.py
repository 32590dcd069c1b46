"""Read-side queries for stock: the API, the websockets, the staff grid and the shop pages use these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum

from .models import Location, LocationKind, StockAlert, StockLevel, StockLot, StockMovement

if TYPE_CHECKING:
    from catalog.models import Category, Variant


def stock_levels(
    *,
    skus: Iterable[str] | None = None,
    location_codes: Iterable[str] | None = None,
    changed_since: dt.datetime | None = None,
) -> QuerySet[StockLevel, Mapping[str, Any]]:
    """Levels as plain rows: sku, location, on_hand, reserved, available, version. One query.
    ``changed_since``: only those written at or after it."""
    qs = StockLevel.objects.all()
    if changed_since is not None:
        qs = qs.filter(updated_at__gte=changed_since)
    if skus is not None:
        qs = qs.filter(variant__sku__in=list(skus))
    if location_codes is not None:
        qs = qs.filter(location__code__in=list(location_codes))
    return (
        # Django allows an annotation named like a property (``available``); the stubs' plugin does not.
        qs.annotate(  # type: ignore[no-redef]
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


def available_at_stores(
    *, first_variant_id: int = 0, last_variant_id: int = 0, variant_ids: list[int] | None = None
) -> list[tuple[int, int, str, int]]:
    """``(variant_id, location_id, location_code, available)`` at every active store, for the variants
    with an id from ``first_variant_id`` to ``last_variant_id`` (a page of the register's catalog), or
    for ``variant_ids`` alone (the till's search results, a catalog delta's few ids far apart). One query."""
    from .models import LocationKind

    levels = StockLevel.objects.filter(location__kind=LocationKind.STORE, location__is_active=True)
    if variant_ids is not None:
        levels = levels.filter(variant_id__in=variant_ids)
    else:
        levels = levels.filter(variant_id__gte=first_variant_id, variant_id__lte=last_variant_id)
    rows = levels.values_list("variant_id", "location_id", "location__code", "on_hand", "reserved")
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
    if movement is None or movement.lot is None:  # the filter asked for a lot
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
    children: dict[int | None, list[Category]] = {}
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
) -> QuerySet[Variant]:
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


# --- what the shop shows: availability for pages, the catalog API and /ws/availability/ -----------
# Only ``available`` (on hand minus reserved) at active locations, never on hand or reserved.


def _in_stock_rows() -> QuerySet[Any]:
    """Availability rows with something to sell at an active location (``ProductAvailability``: the
    levels of a product's active variants added up, kept by every stock write)."""
    from .models import ProductAvailability

    return ProductAvailability.objects.filter(available_units__gt=0, location__is_active=True)


def product_available_at(location_code: str | None = None) -> Exists:
    """An ``Exists`` over a ``Product`` queryset's ``OuterRef("pk")``: some active variant of the product
    is available at an active location (at ``location_code`` when given). For filters and annotations.

    One probe of the availability table's (product, location) index per product, whatever the number
    of variants (it took 6-16 s per listing page on SQLite when it read the levels)."""
    rows = _in_stock_rows().filter(product=OuterRef("pk"))
    if location_code:
        rows = rows.filter(location__code=location_code)
    return Exists(rows)


def products_in_stock(product_ids: Iterable[int]) -> set[int]:
    """Which of these products some active location has available (an active variant). 1 query."""
    return set(
        _in_stock_rows()
        .filter(product_id__in=list(product_ids))
        .values_list("product_id", flat=True)
        .distinct()
    )


def stores_with_stock(product_ids: QuerySet[Any] | Iterable[int]) -> QuerySet[Location]:
    """Active stores (not warehouses) where one of these products (a list or a ``values("pk")``
    subquery) has an active variant available, by name. 1 query when evaluated."""
    from .models import ProductAvailability

    wanted = Subquery(product_ids) if isinstance(product_ids, QuerySet) else list(product_ids)
    return (
        Location.objects.filter(is_active=True, kind=LocationKind.STORE)
        .filter(
            Exists(
                ProductAvailability.objects.filter(
                    location=OuterRef("pk"), product_id__in=wanted, available_units__gt=0
                )
            )
        )
        .order_by("name")
    )


def on_hand_by_product(
    product_ids: Iterable[int], *, location_id: int | None = None, using: str = "default"
) -> dict[int, int]:
    """Units on hand per product (all its variants), at one location or everywhere: one grouped
    query (the dashboard's sell-through reads it, on its replica through ``using``)."""
    levels = StockLevel.objects.using(using).filter(variant__product_id__in=list(product_ids))
    if location_id is not None:
        levels = levels.filter(location_id=location_id)
    return dict(
        levels.values("variant__product_id")
        .annotate(on_hand=Sum("on_hand"))
        .values_list("variant__product_id", "on_hand")
    )


def available_by_variant_and_location(variant_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """``{(variant_id, location_id): on_hand - reserved}`` of these variants' levels (may be negative
    after a count; callers clamp). 1 query."""
    return {
        (row["variant_id"], row["location_id"]): row["available"]
        for row in StockLevel.objects.filter(variant__in=list(variant_ids))
        .annotate(available=F("on_hand") - F("reserved"))  # type: ignore[no-redef,misc]  # see availability_rows()
        .values("variant_id", "location_id", "available")
    }


def availability_rows(skus: Iterable[str]) -> list[dict[str, Any]]:
    """``{"sku", "location", "available", "version"}`` of active locations for these SKUs. 1 query."""
    return [
        {"sku": r["sku"], "location": r["loc"], "available": max(r["available"], 0), "version": r["version"]}
        for r in StockLevel.objects.filter(variant__sku__in=list(skus), location__is_active=True)
        # An annotation named like the model property (StockLevel.available): Django allows it, the
        # stubs' plugin does not.
        .annotate(  # type: ignore[no-redef]
            sku=F("variant__sku"), loc=F("location__code"), available=F("on_hand") - F("reserved")
        )
        .order_by("loc", "sku")
        .values("sku", "loc", "available", "version")
    ]


def active_location_codes() -> list[str]:
    return list(Location.objects.filter(is_active=True).order_by("code").values_list("code", flat=True))


def stock_overview() -> dict[str, Any]:
    """Headline stock figures (the /platform/ page): active locations with ``skus_in_stock``, units on
    hand and reserved, open low-stock alerts. 3 queries."""
    totals = StockLevel.objects.aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    return {
        "locations": list(
            Location.objects.filter(is_active=True)
            .annotate(skus_in_stock=Count("stock_levels", filter=Q(stock_levels__on_hand__gt=0)))
            .order_by("kind", "name")
        ),
        "on_hand": totals["on_hand"] or 0,
        "reserved": totals["reserved"] or 0,
        "open_alerts": StockAlert.objects.filter(acknowledged_at__isnull=True).count(),
    }


def row_counts() -> dict[str, int]:
    """How many stock levels, lots and ledger rows there are (seed_demo's summary). 3 queries."""
    return {
        "stock levels": StockLevel.objects.count(),
        "lots": StockLot.objects.count(),
        "ledger rows": StockMovement.objects.count(),
    }


def variants_available_at(location: Location, *, at_least: int, limit: int) -> list[Variant]:
    """Active variants with at least ``at_least`` units available at ``location``, by SKU, their
    products loaded. 1 query."""
    from catalog.models import Variant

    return list(
        Variant.objects.filter(
            is_active=True,
            stock_levels__location=location,
            stock_levels__on_hand__gte=F("stock_levels__reserved") + at_least,
        )
        .select_related("product")
        .order_by("sku")[:limit]
    )


def bin_locations(*, location_id: int, variant_ids: Iterable[int]) -> dict[int, str]:
    """``{variant_id: bin_location}`` at one location (blank when none is set). One query."""
    return dict(
        StockLevel.objects.filter(location_id=location_id, variant_id__in=list(variant_ids)).values_list(
            "variant_id", "bin_location"
        )
    )


def location_codes(location_ids: Iterable[int]) -> dict[int, str]:
    """``{location id: code}`` for these ids, one query (webhooks name locations by code)."""
    return dict(Location.objects.filter(pk__in=list(location_ids)).values_list("pk", "code"))


# --- the products' availability table: manage.py check_availability ----------------------------


@dataclass(frozen=True)
class AvailabilityMismatch:
    """A product at a location whose ``ProductAvailability`` row disagrees with its levels (``table``
    None: no row; levels 0 and a row of 0 agree)."""

    product_id: int
    location: str
    table: int | None
    levels: int


def availability_mismatches() -> tuple[int, list[AvailabilityMismatch]]:
    """``(rows checked, mismatches)``: every availability row against the sum of its product's active
    variants' levels (on hand minus reserved) at that location. Two grouped reads, in one snapshot on
    PostgreSQL (as ``check_ledger``)."""
    from django.db import connection, transaction

    from .models import ProductAvailability

    with transaction.atomic():
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        table = {
            (loc, product): units
            for loc, product, units in ProductAvailability.objects.values_list(
                "location_id", "product_id", "available_units"
            ).iterator(chunk_size=10_000)
        }
        truth = {
            (row["location_id"], row["variant__product_id"]): row["units"]
            for row in StockLevel.objects.filter(variant__is_active=True)
            .order_by()
            .values("location_id", "variant__product_id")
            .annotate(units=Sum(F("on_hand") - F("reserved")))
        }
        codes = dict(Location.objects.values_list("pk", "code"))
    mismatches = []
    for key in sorted(table.keys() | truth.keys()):
        row, units = table.get(key), truth.get(key, 0)
        if (row or 0) != units:
            mismatches.append(AvailabilityMismatch(key[1], codes.get(key[0], f"#{key[0]}"), row, units))
    return len(table), mismatches
