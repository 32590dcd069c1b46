"""The building blocks every stock write is made of: the conditional UPDATE, the ledger row, lots (FEFO)
and the after-commit push. Nothing outside ``inventory.services`` calls these.

A change, whatever the operation:

1. The levels it touches are locked first, all at once, in the global order (``locking.lock_levels``),
   and every line is checked against the locked figures: a refusal raises before anything is written.
2. One conditional UPDATE per line (``... SET on_hand = on_hand + d, reserved = reserved + r WHERE
   on_hand + d >= reserved + r``, see ``_apply``; a sale of several levels does them all in one
   statement, ``_apply_many``): even if a check above were wrong, the database refuses a level that
   would break a rule (``InsufficientStock``, and ``transaction.atomic`` leaves nothing).
3. One ledger row (``StockMovement``) per line, per lot for lot-tracked variants, in the same
   transaction (a sale inserts them in one statement). The ledger sums to the level; nothing else
   writes either table.
4. After commit, never before, the new figures go to every socket watching the location
   (``inventory.realtime``), and a crossed low-stock threshold e-mails the store manager
   (``_after_change``, once per level changed).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from core import events, outbox

from ..errors import InsufficientStock, InvalidQuantity, LotNotTracked, LotRequired
from ..events import StockLevelChanged
from ..models import Reservation, StockAlert, StockLevel, StockLot, StockMovement

if TYPE_CHECKING:
    from accounts.models import User
    from catalog.models import Variant

    from ..models import Location


@dataclass(frozen=True)
class LotInput:
    """Which batch arriving (receipt, return) or counted stock belongs to."""

    batch: str
    expiry_date: dt.date | None = None


@dataclass(frozen=True)
class StockLine:
    """One line of a batch: ``quantity`` units of ``variant`` (with its batch, for stock coming in)."""

    variant: Variant
    quantity: int
    lot: LotInput | None = None


@dataclass
class StockChange:
    """The level after a change and the ledger rows that explain it.

    ``shortfall``: the units of the line that could not be taken (``sell_many(allow_shortfall=True)``).
    """

    level: StockLevel
    movements: list[StockMovement] = field(default_factory=list)
    shortfall: int = 0


Key = tuple[int, int]  # (location id, variant id): the key of a locked level


def key_of(location: Location | int, variant: Variant | int) -> Key:
    location_id = location if isinstance(location, int) else location.pk
    variant_id = variant if isinstance(variant, int) else variant.pk
    return (location_id, variant_id)


# --- checks ---------------------------------------------------------------------------------------


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_quantity(quantity: object) -> None:
    if not _is_whole(quantity) or quantity <= 0:  # type: ignore[operator]
        raise InvalidQuantity(detail={"quantity": quantity})


def _detail(variant: Variant, location: Location, *, requested: int, available: int) -> dict[str, Any]:
    return {"sku": variant.sku, "location": location.code, "requested": requested, "available": available}


def _short(variant: Variant, location: Location, *, requested: int, available: int) -> InsufficientStock:
    available = max(available, 0)
    return InsufficientStock(
        f"Only {available} of {variant.sku} available at {location.code}, {requested} requested.",
        detail=_detail(variant, location, requested=requested, available=available),
    )


def _check_takes(levels: dict[Key, StockLevel], takes: Iterable[tuple[Variant, Location, int]]) -> None:
    """Every take fits the locked figures, lines of one level counted together; else the first that
    does not raises ``InsufficientStock`` (nothing is written yet)."""
    left = {key: level.available for key, level in levels.items()}
    for variant, location, quantity in takes:
        key = key_of(location, variant)
        if quantity > left[key]:
            raise _short(variant, location, requested=quantity, available=left[key])
        left[key] -= quantity


def _refuse_lot_for_untracked(variant: Variant, lot: LotInput | None) -> None:
    """A batch number on a variant without lots would be silently lost: say so instead."""
    if lot is not None and not variant.product.tracks_lots:
        raise LotNotTracked(detail={"sku": variant.sku, "batch": lot.batch})


# --- writes ---------------------------------------------------------------------------------------


def _apply(level: StockLevel, *, on_hand_delta: int, reserved_delta: int) -> None:
    """The one conditional UPDATE, on a level the caller has locked; ``level`` follows it in memory.

    Raises ``InsufficientStock`` if the change would break a rule (new on hand below new reserved, or
    reserved below zero): the checks before it make that impossible, the database makes it certain.
    """
    now = timezone.now()
    rows = StockLevel.objects.filter(
        pk=level.pk,
        on_hand__gte=F("reserved") + (reserved_delta - on_hand_delta),  # new on_hand >= new reserved
        reserved__gte=max(0, -reserved_delta),  # new reserved >= 0
    ).update(
        on_hand=F("on_hand") + on_hand_delta,
        reserved=F("reserved") + reserved_delta,
        version=F("version") + 1,
        updated_at=now,
    )
    if rows == 0:
        raise _short(
            level.variant, level.location, requested=reserved_delta - on_hand_delta, available=level.available
        )
    level.on_hand += on_hand_delta
    level.reserved += reserved_delta
    level.version += 1
    level.updated_at = now


def _apply_many(changes: Sequence[tuple[StockLevel, int, int]]) -> None:
    """``_apply`` for several levels in ONE conditional UPDATE: ``(level, on_hand_delta,
    reserved_delta)``, one entry per level, every level locked by the caller.

    Each row's deltas come from a ``CASE`` on its id, each row keeps the rule of ``_apply`` (new on
    hand >= new reserved >= 0); if any row would break it the statement updates fewer rows than asked
    and ``InsufficientStock`` names the first such level (the caller's transaction leaves nothing).
    The rows are already locked in the global order, so the UPDATE waits for no one."""
    if len(changes) == 1:
        level, on_hand_delta, reserved_delta = changes[0]
        _apply(level, on_hand_delta=on_hand_delta, reserved_delta=reserved_delta)
        return
    if not changes:
        return

    def per_row(values: Iterable[tuple[int, int]]) -> Case:
        return Case(*(When(pk=pk, then=Value(v)) for pk, v in values), output_field=IntegerField())

    now = timezone.now()
    ids = [level.pk for level, _, _ in changes]
    # new on_hand >= new reserved  <=>  on_hand >= reserved + (reserved_delta - on_hand_delta)
    need = per_row((level.pk, r - h) for level, h, r in changes)
    floor = per_row((level.pk, max(0, -r)) for level, _, r in changes)
    rows = (
        StockLevel.objects.filter(pk__in=ids)
        .filter(on_hand__gte=F("reserved") + need, reserved__gte=floor)
        .update(
            on_hand=F("on_hand") + per_row((level.pk, h) for level, h, _ in changes),
            reserved=F("reserved") + per_row((level.pk, r) for level, _, r in changes),
            version=F("version") + 1,
            updated_at=now,
        )
    )
    if rows != len(changes):
        figures = {
            pk: (on_hand, reserved)
            for pk, on_hand, reserved in StockLevel.objects.filter(pk__in=ids).values_list(
                "pk", "on_hand", "reserved"
            )
        }
        for level, h, r in changes:
            on_hand, reserved = figures.get(level.pk, (0, 0))
            if on_hand + h < reserved + r or reserved + r < 0:
                raise _short(level.variant, level.location, requested=r - h, available=on_hand - reserved)
        level, h, r = changes[0]  # it changed meanwhile (cannot happen under our locks)
        raise _short(level.variant, level.location, requested=r - h, available=level.available)
    for level, h, r in changes:
        level.on_hand += h
        level.reserved += r
        level.version += 1
        level.updated_at = now


def _take_from_one_level(
    *, variant: Variant, location: Location, quantities: list[int], reserve: bool
) -> StockLevel:
    """The fast path of a batch that takes from ONE level (a one-line sale or reservation, every
    stock API call): one conditional ``UPDATE ... RETURNING`` instead of lock, check, update.

    The row is locked only if the change fits (new on hand >= new reserved >= 0), so a refused take
    waits for the current holder of the row and then leaves without a lock; with one stock row in
    the operation there is no lock order to keep. ``InsufficientStock`` (nothing written) otherwise.
    Returns the level, its figures as the UPDATE left them, with ``variant`` and ``location`` set.
    """
    table = connection.ops.quote_name(StockLevel._meta.db_table)
    now = timezone.now()
    need = sum(quantities)  # how far available falls
    on_hand_delta, reserved_delta = (0, need) if reserve else (-need, 0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET on_hand = on_hand + %s, reserved = reserved + %s, version = version + 1, "
            "updated_at = %s WHERE variant_id = %s AND location_id = %s AND on_hand - reserved >= %s "
            "AND reserved + %s >= 0 RETURNING id, on_hand, reserved, version, low_stock_threshold",
            [
                on_hand_delta,
                reserved_delta,
                connection.ops.adapt_datetimefield_value(now),
                variant.pk,
                location.pk,
                need,
                reserved_delta,
            ],
        )
        row = cursor.fetchone()
    if row is None:  # name the first line that does not fit, as ``_check_takes`` does
        current = StockLevel.objects.filter(variant=variant, location=location).first()
        left = current.available if current else 0
        for quantity in quantities:
            if quantity > left:
                raise _short(variant, location, requested=quantity, available=left)
            left -= quantity
        raise _short(variant, location, requested=need, available=left)  # it changed meanwhile
    pk, on_hand, reserved, version, threshold = row
    return StockLevel(
        pk=pk,
        variant=variant,
        location=location,
        on_hand=on_hand,
        reserved=reserved,
        version=version,
        low_stock_threshold=threshold,
        updated_at=now,
    )


def _refresh(levels: Iterable[StockLevel]) -> None:
    """Read the figures of levels we changed (and still hold locked) back from the database: one query.

    On PostgreSQL they are what ``_apply`` computed (we hold the row locks): nothing to read. SQLite
    takes no row locks, so read them there."""
    if connection.vendor == "postgresql":
        return
    by_pk = {level.pk: level for level in levels}
    if not by_pk:
        return
    for pk, on_hand, reserved, version, updated_at in StockLevel.objects.filter(pk__in=by_pk).values_list(
        "pk", "on_hand", "reserved", "version", "updated_at"
    ):
        level = by_pk[pk]
        level.on_hand, level.reserved, level.version, level.updated_at = (
            on_hand,
            reserved,
            version,
            updated_at,
        )


def _write_movement(**fields: Any) -> StockMovement:
    """``_movement`` saved: one ledger row, one INSERT."""
    movement = _movement(**fields)
    movement.save(force_insert=True)
    return movement


def _movement(
    *,
    variant: Variant,
    location: Location,
    lot: StockLot | None,
    quantity: int,
    reserved_delta: int,
    reason: str,
    reference: str,
    user: User | None,
    reservation: Reservation | None = None,
    transfer_id: uuid.UUID | None = None,
) -> StockMovement:
    """A ledger row, not saved yet (a batch inserts its rows with one ``bulk_create``)."""
    return StockMovement(
        variant=variant,
        location=location,
        lot=lot,
        quantity=quantity,
        reserved_delta=reserved_delta,
        reason=reason,
        reference=reference[:120],
        user=user if user and user.is_authenticated else None,
        reservation=reservation,
        transfer_id=transfer_id,
    )


def _get_or_create_lot(*, variant: Variant, location: Location, lot: LotInput | None, lock: bool) -> StockLot:
    if lot is None or not lot.batch:
        raise LotRequired()
    row, created = StockLot.objects.get_or_create(
        variant=variant, location=location, batch=lot.batch, defaults={"expiry_date": lot.expiry_date}
    )
    if lock and not created:
        row = StockLot.objects.select_for_update().get(pk=row.pk)
    return row


def _lot_parts(*, variant: Variant, location: Location, quantity: int) -> list[tuple[StockLot | None, int]]:
    """Take ``quantity`` out of the location's lots, earliest expiry first (FEFO).

    Called after the level UPDATE succeeded, so the level row lock serialises us with every other
    change of this variant here, and the lots always hold at least ``quantity``.
    For variants without lots it is one part with no lot.
    """
    if not variant.product.tracks_lots:
        return [(None, quantity)]
    parts: list[tuple[StockLot | None, int]] = []
    remaining = quantity
    lots = (
        StockLot.objects.select_for_update()
        .filter(variant=variant, location=location, quantity__gt=0)
        .order_by(F("expiry_date").asc(nulls_last=True), "id")
    )
    for lot_row in lots:
        taken = min(lot_row.quantity, remaining)
        StockLot.objects.filter(pk=lot_row.pk).update(quantity=F("quantity") - taken)
        parts.append((lot_row, taken))
        remaining -= taken
        if remaining == 0:
            break
    if remaining:
        raise InsufficientStock(
            f"The lots of {variant.sku} at {location.code} hold {quantity - remaining}, {quantity} needed.",
            detail=_detail(variant, location, requested=quantity, available=quantity - remaining),
        )
    return parts


def _after_changes(levels: dict[Key, StockLevel], deltas: dict[Key, int]) -> None:
    """``_after_change`` once per level a batch changed, in the global order, with its total delta;
    the products' availability rows follow in the same transaction (``_move_availability``)."""
    _refresh(levels[key] for key in deltas)
    moves: dict[tuple[int, int], int] = {}
    for key in sorted(deltas):
        level = levels[key]
        if deltas[key] and _variant_is_active(level):
            pair = (level.location_id, _product_id(level))
            moves[pair] = moves.get(pair, 0) + deltas[key]
    _move_availability(moves)
    for key in sorted(deltas):
        _after_change(levels[key], available_delta=deltas[key])


def _variant_is_active(level: StockLevel) -> bool:
    if StockLevel.variant.is_cached(level):
        return level.variant.is_active
    from catalog.models import Variant

    return Variant.objects.filter(pk=level.variant_id, is_active=True).exists()


def _move_availability(moves: dict[tuple[int, int], int]) -> None:
    """Add each ``{(location_id, product_id): units}`` to the product's availability row there, creating
    it: one ``INSERT ... ON CONFLICT DO UPDATE`` for the batch, rows in (location, product) order.

    Why here and not in a subscriber of ``StockLevelChanged``: the table is inventory's own, derived from
    the levels this transaction just changed; an in-transaction write is the only way it commits or
    rolls back with them, and a reader of a stock service sees it. Why a delta and not a recount: two
    sales of two variants of one product at one store, in parallel, would each count the other's level
    as it was before (neither sees the other's uncommitted UPDATE) and the later commit would leave the
    product "available" with nothing left; added deltas commute under the row lock. The row is locked
    after the levels (every writer locks levels first), so no writer waits on it while holding a row
    another needs before it.
    """
    rows = [
        (product_id, location_id, units)
        for (location_id, product_id), units in sorted(moves.items())
        if units
    ]
    if not rows:
        return
    from ..models import ProductAvailability

    table = connection.ops.quote_name(ProductAvailability._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):  # one statement for any stock write; chunks for a load
            chunk = rows[start : start + 1000]
            params: list[Any] = []
            for product_id, location_id, units in chunk:
                params += [product_id, location_id, units, now]
            cursor.execute(
                f"INSERT INTO {table} (product_id, location_id, available_units, updated_at) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                + " ON CONFLICT (location_id, product_id) DO UPDATE SET "
                f"available_units = {table}.available_units + excluded.available_units, "
                "updated_at = excluded.updated_at",
                params,
            )


def _after_change(level: StockLevel, *, available_delta: int) -> None:
    """Raise a low-stock alert if this change crossed the threshold; push the figures after commit."""
    from .. import realtime, tasks

    threshold = level.low_stock_threshold
    if threshold is not None and level.available <= threshold < level.available - available_delta:
        alert = StockAlert.objects.create(
            variant_id=level.variant_id,
            location_id=level.location_id,
            threshold=threshold,
            available=level.available,
        )
        outbox.enqueue(tasks.send_low_stock_alert, alert_id=alert.pk)
    payload = realtime.level_message(level)
    # After commit: the figures go to the sockets watching the location; the layers above learn of
    # the change through ``StockLevelChanged`` (the storefront forgets its cached pages of the product).
    transaction.on_commit(lambda: realtime.broadcast_level(payload))
    available = level.available
    events.publish(
        StockLevelChanged(
            variant_id=level.variant_id,
            product_id=_product_id(level),
            location_id=level.location_id,
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=available,
            crossed_zero=(available > 0) != (available - available_delta > 0),
        )
    )


def _product_id(level: StockLevel) -> int:
    """The level's product, without a query when its variant is loaded (``_update_level`` loads it)."""
    if StockLevel.variant.is_cached(level):
        return level.variant.product_id
    from catalog.models import Variant

    return Variant.objects.filter(pk=level.variant_id).values_list("product_id", flat=True).get()
