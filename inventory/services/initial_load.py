"""The initial load (seed data, first ERP import): open stock for many pairs with bulk inserts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from core.errors import Conflict, ValidationFailed

from ..errors import InvalidQuantity, LotRequired
from ..models import MovementReason, StockLevel, StockLot, StockMovement
from .bins import clean_bin_location
from .levels import LotInput, _check_quantity, _is_whole, _move_availability

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class InitialStock:
    """One line of an initial load: ``quantity`` units of a variant at a location (one batch if tracked)."""

    variant_id: int
    location_id: int
    quantity: int
    lot: LotInput | None = None
    low_stock_threshold: int | None = None
    bin_location: str = ""  # where it sits (picking order); cleaned as ``set_bin_location`` does


@dataclass(frozen=True)
class InitialLoadResult:
    levels: int
    lots: int
    movements: int


@transaction.atomic
def bulk_receive_initial_stock(
    *, rows: Iterable[InitialStock], reference: str, user: User | None = None, batch_size: int = 2000
) -> InitialLoadResult:
    """The import and seed path: open stock for many (variant, location) pairs with bulk inserts.

    It keeps the invariants of ``receive_stock``: one RECEIPT ledger row per level (per lot for
    lot-tracked variants) written in the same transaction as the level and lot rows, so the ledger
    sums to the level and the lots to on hand. It gives up, to load 100,000 levels in seconds, what a
    first load does not need: the conditional UPDATE (the pairs must have no level yet, so there is
    nothing to race with: a concurrent first receipt makes the insert fail on the unique constraint),
    low-stock alerts (stock only goes up) and the live push (no socket can hold a figure for a level
    that did not exist; tablets get the levels in their next snapshot).

    Rows for the same pair add up (several batches of one variant at one store). Refused, with nothing
    written: a pair that already has a level (use ``receive_stock``), a quantity that is not a whole
    number above zero, a lot-tracked variant without a batch, a batch for a variant without lots.
    """
    from catalog.models import Variant as VariantModel

    on_hand: dict[tuple[int, int], int] = {}
    thresholds: dict[tuple[int, int], int] = {}
    bins: dict[tuple[int, int], str] = {}
    lots: dict[tuple[int, int, str], list[Any]] = {}  # key -> [expiry_date, quantity]
    has_lot: dict[tuple[int, int], bool] = {}
    for row in rows:
        _check_quantity(row.quantity)
        key = (row.variant_id, row.location_id)
        on_hand[key] = on_hand.get(key, 0) + row.quantity
        if row.low_stock_threshold is not None:
            if not _is_whole(row.low_stock_threshold) or row.low_stock_threshold < 0:
                raise InvalidQuantity("A threshold must be a whole number, zero or more.")
            thresholds[key] = row.low_stock_threshold
        if row.bin_location:
            bins[key] = clean_bin_location(row.bin_location)
        if row.lot is not None and not row.lot.batch:
            raise LotRequired()
        if has_lot.setdefault(key, row.lot is not None) != (row.lot is not None):
            raise LotRequired(detail={"variant_id": row.variant_id, "location_id": row.location_id})
        if row.lot is not None:
            entry = lots.setdefault((*key, row.lot.batch), [row.lot.expiry_date, 0])
            entry[1] += row.quantity
    if not on_hand:
        return InitialLoadResult(levels=0, lots=0, movements=0)

    variant_ids = sorted({variant_id for variant_id, _ in on_hand})
    tracked: set[int] = set()
    existing: set[tuple[int, int]] = set()
    for start in range(0, len(variant_ids), 5000):
        chunk = variant_ids[start : start + 5000]
        tracked.update(
            VariantModel.objects.filter(pk__in=chunk, product__tracks_lots=True).values_list("pk", flat=True)
        )
        existing.update(
            StockLevel.objects.filter(variant_id__in=chunk).values_list("variant_id", "location_id")
        )
    clash = sorted(existing & on_hand.keys())
    if clash:
        raise Conflict(
            f"{len(clash)} of these (variant, location) pairs already have stock: use receive_stock.",
            detail={"pairs": clash[:20]},
        )
    for key, with_lot in has_lot.items():
        if with_lot != (key[0] in tracked):
            if with_lot:
                raise ValidationFailed(
                    "A batch was given for a variant that is not tracked by lot.",
                    detail={"variant_id": key[0], "location_id": key[1]},
                )
            raise LotRequired(detail={"variant_id": key[0], "location_id": key[1]})

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    _insert_many(
        StockLevel,
        [
            "variant",
            "location",
            "on_hand",
            "reserved",
            "version",
            "low_stock_threshold",
            "bin_location",
            "updated_at",
        ],
        [
            (v, loc, quantity, 0, 1, thresholds.get((v, loc)), bins.get((v, loc), ""), now)
            for (v, loc), quantity in on_hand.items()
        ],
        batch_size=batch_size,
    )
    lot_rows = StockLot.objects.bulk_create(
        [
            StockLot(variant_id=v, location_id=loc, batch=batch, expiry_date=expiry, quantity=quantity)
            for (v, loc, batch), (expiry, quantity) in lots.items()
        ],
        batch_size=batch_size,
    )
    if any(lot_row.pk is None for lot_row in lot_rows):  # a backend that cannot return ids
        ids = {
            (lot_row.variant_id, lot_row.location_id, lot_row.batch): lot_row.pk
            for lot_row in StockLot.objects.filter(variant_id__in=variant_ids).only(
                "pk", "variant_id", "location_id", "batch"
            )
        }
        for lot_row in lot_rows:
            lot_row.pk = ids[(lot_row.variant_id, lot_row.location_id, lot_row.batch)]
    user_id = user.pk if user is not None and user.is_authenticated else None
    reference = reference[:120]
    receipt = MovementReason.RECEIPT.value
    movements: list[tuple[int, int, int | None, int]] = [
        (lot_row.variant_id, lot_row.location_id, lot_row.pk, lot_row.quantity) for lot_row in lot_rows
    ]
    movements += [(v, loc, None, quantity) for (v, loc), quantity in on_hand.items() if not has_lot[(v, loc)]]
    _insert_many(
        StockMovement,
        [
            "variant",
            "location",
            "lot",
            "quantity",
            "reserved_delta",
            "reason",
            "reference",
            "user",
            "created_at",
        ],
        [
            (v, loc, lot_id, quantity, 0, receipt, reference, user_id, now)
            for v, loc, lot_id, quantity in movements
        ],
        batch_size=batch_size,
    )
    _move_availability(_availability_moves(on_hand, variant_ids))
    return InitialLoadResult(levels=len(on_hand), lots=len(lot_rows), movements=len(movements))


def _availability_moves(
    on_hand: dict[tuple[int, int], int], variant_ids: list[int]
) -> dict[tuple[int, int], int]:
    """What the new levels add to their products' availability rows (active variants only)."""
    from catalog.models import Variant as VariantModel

    product_of: dict[int, int] = {}
    for start in range(0, len(variant_ids), 5000):
        product_of.update(
            VariantModel.objects.filter(pk__in=variant_ids[start : start + 5000], is_active=True).values_list(
                "pk", "product_id"
            )
        )
    moves: dict[tuple[int, int], int] = {}
    for (variant_id, location_id), quantity in on_hand.items():
        if variant_id in product_of:
            pair = (location_id, product_of[variant_id])
            moves[pair] = moves.get(pair, 0) + quantity
    return moves


def _insert_many(
    model: type[models.Model], field_names: list[str], rows: list[tuple[Any, ...]], *, batch_size: int
) -> None:
    """Plain multi-row INSERTs for the initial load (no returned ids, no model instances).

    ``bulk_create`` spends about 100 microseconds per row building and compiling model instances;
    a demo or first import writes 200,000 level and ledger rows, so this path sends the values as
    they are, already adapted for the database (dates through ``connection.ops``).
    """
    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(_column(model, name)) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])


def _column(model: type[models.Model], field_name: str) -> str:
    field = model._meta.get_field(field_name)
    assert isinstance(field, models.Field) and field.column is not None  # a concrete field
    return field.column
