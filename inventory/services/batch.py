"""Stock in and out: receipts, sales, returns, losses and counts, a batch of lines at a time.

``sell_many`` and ``return_many`` are what the POS and the web shop call; the single-line functions
(``sell_stock``, ``return_to_stock``, ``receive_stock``, ``record_loss``) are the same code with one
line, for the stock API, the admin and the ERP import. Each locks its levels with ``lock_levels``
(see ``locking``), checks every line, then writes (see ``levels``).

These functions use ``transaction.atomic`` (nestable, not durable): inside a caller's transaction
they join it and their after-commit work waits for the caller's commit. ``sell_many`` and
``return_many`` are ``core.transactions.nested_atomic``: inside a caller's ``one_savepoint()`` (a till
sale) they take no savepoint of their own. A single-line wrapper that
only calls one batch function takes that function's transaction (no second savepoint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F

from core.transactions import nested_atomic

from ..errors import InsufficientStock, InvalidQuantity, LotRequired
from ..models import MovementReason, StockLot, StockMovement
from .levels import (
    Key,
    LotInput,
    StockChange,
    StockLine,
    _after_changes,
    _apply,
    _apply_many,
    _check_quantity,
    _check_takes,
    _detail,
    _get_or_create_lot,
    _is_whole,
    _lot_parts,
    _movement,
    _refuse_lot_for_untracked,
    _take_from_one_level,
    _write_movement,
    key_of,
)
from .locking import lock_levels

if TYPE_CHECKING:
    from accounts.models import User
    from catalog.models import Variant

    from ..models import Location


# --- batches --------------------------------------------------------------------------------------


@nested_atomic
def sell_many(
    *,
    lines: Sequence[StockLine],
    location: Location,
    reference: str = "",
    user: User | None = None,
    allow_shortfall: bool = False,
) -> list[StockChange]:
    """A sale that takes unreserved stock at ``location`` (a POS sale, an ERP order); lots FEFO.

    Refused with ``InsufficientStock`` naming the first line that cannot be served, nothing written,
    unless ``allow_shortfall``: the goods already left (an offline POS sale), so each line takes what
    the stock still holds and its ``StockChange.shortfall`` says how many units were missing.
    One ``StockChange`` per line, in the order given.
    """
    return _remove_many(
        lines=lines,
        location=location,
        reason=MovementReason.SALE,
        reference=reference,
        user=user,
        allow_shortfall=allow_shortfall,
    )


@nested_atomic
def return_many(
    *, lines: Sequence[StockLine], location: Location, reference: str = "", user: User | None = None
) -> list[StockChange]:
    """Customer returns in resellable condition go back on the shelf (lot-tracked lines name their
    batch). One ``StockChange`` per line, in the order given."""
    return _add_many(
        lines=lines, location=location, reason=MovementReason.RETURN, reference=reference, user=user
    )


# --- one line -------------------------------------------------------------------------------------


@transaction.atomic
def receive_stock(
    *,
    variant: Variant,
    location: Location,
    quantity: int,
    reference: str = "",
    user: User | None = None,
    lot: LotInput | None = None,
) -> StockChange:
    """Goods arrive from a supplier or the ERP."""
    return _add_many(
        lines=[StockLine(variant, quantity, lot)],
        location=location,
        reason=MovementReason.RECEIPT,
        reference=reference,
        user=user,
    )[0]


def return_to_stock(
    *,
    variant: Variant,
    location: Location,
    quantity: int,
    reference: str = "",
    user: User | None = None,
    lot: LotInput | None = None,
) -> StockChange:
    """A customer return in resellable condition goes back on the shelf."""
    return return_many(
        lines=[StockLine(variant, quantity, lot)], location=location, reference=reference, user=user
    )[0]


def sell_stock(
    *, variant: Variant, location: Location, quantity: int, reference: str = "", user: User | None = None
) -> StockChange:
    """A sale that takes unreserved stock (a POS sale, an ERP order). Lots: earliest expiry first."""
    return sell_many(lines=[StockLine(variant, quantity)], location=location, reference=reference, user=user)[
        0
    ]


@transaction.atomic
def record_loss(
    *, variant: Variant, location: Location, quantity: int, reference: str = "", user: User | None = None
) -> StockChange:
    """Damaged, stolen or destroyed goods leave the stock."""
    return _remove_many(
        lines=[StockLine(variant, quantity)],
        location=location,
        reason=MovementReason.LOSS,
        reference=reference,
        user=user,
    )[0]


@transaction.atomic
def adjust_stock(
    *,
    variant: Variant,
    location: Location,
    counted: int,
    reference: str = "",
    user: User | None = None,
    lot: LotInput | None = None,
) -> StockChange:
    """Record a physical count: on hand becomes ``counted`` (for lot-tracked variants, that lot's count).

    A count below what is reserved is refused: release or commit the reservations first.
    """
    if not _is_whole(counted) or counted < 0:
        raise InvalidQuantity("A counted quantity must be a whole number, zero or more.")
    tracked = variant.product.tracks_lots
    if tracked and lot is None:
        raise LotRequired("Count lot-tracked stock one batch at a time: give the batch number.")
    _refuse_lot_for_untracked(variant, lot)
    key = key_of(location, variant)
    levels = lock_levels([key])
    level = levels[key]
    lot_row = _get_or_create_lot(variant=variant, location=location, lot=lot, lock=True) if tracked else None
    current = lot_row.quantity if lot_row else level.on_hand
    delta = counted - current
    if delta == 0:
        return StockChange(level=level, movements=[])
    if level.on_hand + delta < level.reserved:
        raise InsufficientStock(
            f"{counted} counted leaves less than the {level.reserved} units reserved at {location.code}.",
            detail=_detail(variant, location, requested=-delta, available=level.available),
        )
    _apply(level, on_hand_delta=delta, reserved_delta=0)
    if lot_row:
        StockLot.objects.filter(pk=lot_row.pk).update(quantity=F("quantity") + delta)
    movement = _write_movement(
        variant=variant,
        location=location,
        lot=lot_row,
        quantity=delta,
        reserved_delta=0,
        reason=MovementReason.COUNT_ADJUSTMENT,
        reference=reference,
        user=user,
    )
    _after_changes(levels, {key: delta})
    return StockChange(level=level, movements=[movement])


@dataclass(frozen=True)
class CountLine:
    """One counted figure: on hand of ``variant`` at ``location`` is ``counted`` (untracked variants)."""

    variant: Variant
    location: Location
    counted: int
    reference: str = ""


@transaction.atomic
def count_many(
    *, lines: Sequence[CountLine], user: User | None = None
) -> list[StockChange | InsufficientStock | InvalidQuantity | LotRequired]:
    """Many physical counts in one transaction (an ERP stock file, a shop's stocktake): what
    ``adjust_stock`` does per line, with one lock of all the levels, one UPDATE per level and the
    ledger rows in one insert.

    Lines are taken in the order given, so two counts of one level leave the second (each a movement
    of its difference). A line that cannot be applied is refused alone, the others go ahead: a count
    below what is reserved (``InsufficientStock``), a quantity that is not a whole number >= 0
    (``InvalidQuantity``), a lot-tracked variant (``LotRequired``: count those a batch at a time with
    ``adjust_stock``). Returns, per line in order, its ``StockChange`` (no movement when the count
    matched) or its refusal.
    """
    Refusal = InsufficientStock | InvalidQuantity | LotRequired
    results: list[StockChange | Refusal | None] = [None] * len(lines)
    valid: list[int] = []
    for index, line in enumerate(lines):
        if not _is_whole(line.counted) or line.counted < 0:
            results[index] = InvalidQuantity("A counted quantity must be a whole number, zero or more.")
        elif line.variant.product.tracks_lots:
            results[index] = LotRequired("Count lot-tracked stock one batch at a time: give its batch.")
        else:
            valid.append(index)
    levels = lock_levels((lines[index].location, lines[index].variant) for index in valid)
    on_hand = {key: level.on_hand for key, level in levels.items()}
    deltas: dict[Key, int] = {}
    movements: list[tuple[int, StockMovement]] = []
    recorder = user if user and user.is_authenticated else None
    for index in valid:
        line = lines[index]
        key = key_of(line.location, line.variant)
        level = levels[key]
        delta = line.counted - on_hand[key]
        if delta == 0:
            results[index] = StockChange(level=level, movements=[])
            continue
        if line.counted < level.reserved:  # reserved cannot move: we hold the level
            results[index] = InsufficientStock(
                f"{line.counted} counted leaves less than the {level.reserved} units reserved at "
                f"{line.location.code}.",
                detail=_detail(line.variant, line.location, requested=-delta, available=level.available),
            )
            continue
        on_hand[key] = line.counted
        deltas[key] = deltas.get(key, 0) + delta
        movement = StockMovement(
            variant=line.variant,
            location=line.location,
            quantity=delta,
            reserved_delta=0,
            reason=MovementReason.COUNT_ADJUSTMENT,
            reference=line.reference[:120],
            user=recorder,
        )
        movements.append((index, movement))
        results[index] = StockChange(level=level, movements=[movement])
    changed = {key: delta for key, delta in deltas.items() if delta}
    for key, delta in sorted(changed.items()):
        _apply(levels[key], on_hand_delta=delta, reserved_delta=0)
    StockMovement.objects.bulk_create([movement for _, movement in movements])
    _after_changes(levels, changed)
    return [result for result in results if result is not None]


# --- internals ------------------------------------------------------------------------------------


def _add_many(
    *, lines: Sequence[StockLine], location: Location, reason: str, reference: str, user: User | None
) -> list[StockChange]:
    for line in lines:
        _check_quantity(line.quantity)
        if line.variant.product.tracks_lots and (line.lot is None or not line.lot.batch):
            raise LotRequired()
        _refuse_lot_for_untracked(line.variant, line.lot)
    levels = lock_levels((location, line.variant) for line in lines)
    deltas: dict[Key, int] = {}
    changes = []
    for line in lines:
        key = key_of(location, line.variant)
        level = levels[key]
        _apply(level, on_hand_delta=line.quantity, reserved_delta=0)  # adding never breaks a rule
        # The lot only after the level: every service locks a level before its lots, so a receipt
        # creating a new batch cannot deadlock with a transfer bringing the same batch in.
        lot_row = None
        if line.variant.product.tracks_lots:
            lot_row = _get_or_create_lot(variant=line.variant, location=location, lot=line.lot, lock=False)
            StockLot.objects.filter(pk=lot_row.pk).update(quantity=F("quantity") + line.quantity)
        movement = _write_movement(
            variant=line.variant,
            location=location,
            lot=lot_row,
            quantity=line.quantity,
            reserved_delta=0,
            reason=reason,
            reference=reference,
            user=user,
        )
        deltas[key] = deltas.get(key, 0) + line.quantity
        changes.append(StockChange(level=level, movements=[movement]))
    _after_changes(levels, deltas)
    return changes


def _remove_many(
    *,
    lines: Sequence[StockLine],
    location: Location,
    reason: str,
    reference: str,
    user: User | None,
    allow_shortfall: bool = False,
) -> list[StockChange]:
    for line in lines:
        _check_quantity(line.quantity)
    one_level = not allow_shortfall and len({line.variant.pk for line in lines}) == 1
    if one_level:  # one conditional UPDATE takes the whole batch (it checks the total)
        level = _take_from_one_level(
            variant=lines[0].variant,
            location=location,
            quantities=[line.quantity for line in lines],
            reserve=False,
        )
        levels = {key_of(location, lines[0].variant): level}
    else:
        levels = lock_levels((location, line.variant) for line in lines)
    if allow_shortfall:
        left = {key: max(level.available, 0) for key, level in levels.items()}
        takes = []
        for line in lines:
            key = key_of(location, line.variant)
            taken = min(line.quantity, left[key])
            left[key] -= taken
            takes.append(taken)
    else:
        if not one_level:
            _check_takes(levels, ((line.variant, location, line.quantity) for line in lines))
        takes = [line.quantity for line in lines]
    deltas: dict[Key, int] = {}
    for line, taken in zip(lines, takes, strict=True):
        if taken:
            key = key_of(location, line.variant)
            deltas[key] = deltas.get(key, 0) - taken
    if not one_level:  # every level of the batch in one conditional UPDATE, then the ledger in one INSERT
        _apply_many([(levels[key], delta, 0) for key, delta in sorted(deltas.items())])
    changes = []
    ledger: list[StockMovement] = []
    for line, taken in zip(lines, takes, strict=True):
        movements = []
        if taken:
            movements = [
                _movement(
                    variant=line.variant,
                    location=location,
                    lot=lot_row,
                    quantity=-part,
                    reserved_delta=0,
                    reason=reason,
                    reference=reference,
                    user=user,
                )
                for lot_row, part in _lot_parts(variant=line.variant, location=location, quantity=taken)
            ]
            ledger += movements
        level = levels[key_of(location, line.variant)]
        changes.append(StockChange(level=level, movements=movements, shortfall=line.quantity - taken))
    StockMovement.objects.bulk_create(ledger)
    _after_changes(levels, deltas)
    return changes
