"""Every write to stock goes through this module.

How a change is made, whatever the operation:

1. One conditional UPDATE of the stock level (``... SET on_hand = on_hand + d, reserved = reserved + r
   WHERE on_hand + d >= reserved + r``), so two transactions racing for the last unit can never both
   win: PostgreSQL re-checks the WHERE clause against the row the winner committed. A refused change
   raises ``InsufficientStock`` and, because we are inside ``transaction.atomic``, leaves nothing.
   Transfers lock both levels with ``select_for_update`` in primary-key order, so two transfers in
   opposite directions cannot deadlock.
2. One ledger row (``StockMovement``) per change, per lot for lot-tracked variants, in the same
   transaction. The ledger sums to the level; nothing else writes either table.
3. After commit, never before, the new figures go to every socket watching the location
   (``inventory.realtime``), and a crossed low-stock threshold e-mails the store manager.

The functions here are building blocks that checkout, the POS and the ERP import compose, so they
use ``transaction.atomic`` (nestable, not durable): inside a caller's transaction they join it and
their after-commit work waits for the caller's commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from core import events
from core.errors import Conflict, ValidationFailed

from .errors import (
    InsufficientStock,
    InvalidQuantity,
    LotNotTracked,
    LotRequired,
    ReservationNotActive,
    SameLocation,
)
from .events import StockLevelChanged
from .models import (
    Location,
    MovementReason,
    Reservation,
    ReservationStatus,
    StockAlert,
    StockLevel,
    StockLot,
    StockMovement,
)

if TYPE_CHECKING:
    from accounts.models import User
    from catalog.models import Variant


@dataclass(frozen=True)
class LotInput:
    """Which batch arriving (receipt, return) or counted stock belongs to."""

    batch: str
    expiry_date: dt.date | None = None


@dataclass
class StockChange:
    """The level after a change and the ledger rows that explain it."""

    level: StockLevel
    movements: list[StockMovement] = field(default_factory=list)


@dataclass
class TransferResult:
    transfer_id: uuid.UUID
    source: StockLevel
    destination: StockLevel
    movements: list[StockMovement] = field(default_factory=list)


# --- inbound --------------------------------------------------------------------------------------


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
    return _add(
        variant=variant,
        location=location,
        quantity=quantity,
        reason=MovementReason.RECEIPT,
        reference=reference,
        user=user,
        lot=lot,
    )


@transaction.atomic
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
    return _add(
        variant=variant,
        location=location,
        quantity=quantity,
        reason=MovementReason.RETURN,
        reference=reference,
        user=user,
        lot=lot,
    )


# --- outbound -------------------------------------------------------------------------------------


@transaction.atomic
def sell_stock(
    *, variant: Variant, location: Location, quantity: int, reference: str = "", user: User | None = None
) -> StockChange:
    """A sale that takes unreserved stock (a POS sale, an ERP order). Lots: earliest expiry first."""
    return _remove(
        variant=variant,
        location=location,
        quantity=quantity,
        reason=MovementReason.SALE,
        reference=reference,
        user=user,
    )


@transaction.atomic
def record_loss(
    *, variant: Variant, location: Location, quantity: int, reference: str = "", user: User | None = None
) -> StockChange:
    """Damaged, stolen or destroyed goods leave the stock."""
    return _remove(
        variant=variant,
        location=location,
        quantity=quantity,
        reason=MovementReason.LOSS,
        reference=reference,
        user=user,
    )


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
    level, _ = StockLevel.objects.get_or_create(variant=variant, location=location)
    level = StockLevel.objects.select_for_update().get(pk=level.pk)
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
    updated = _update_level(variant=variant, location=location, on_hand_delta=delta, reserved_delta=0)
    assert updated is not None  # we hold the row lock and checked the condition
    level = updated
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
    _after_change(level, available_delta=delta)
    return StockChange(level=level, movements=[movement])


@transaction.atomic
def transfer_stock(
    *,
    variant: Variant,
    from_location: Location,
    to_location: Location,
    quantity: int,
    reference: str = "",
    user: User | None = None,
) -> TransferResult:
    """Move available units between two locations, in one transaction, with a row on each side."""
    _check_quantity(quantity)
    if from_location.pk == to_location.pk:
        raise SameLocation()
    StockLevel.objects.get_or_create(variant=variant, location=to_location)
    # Lock both rows in pk order: two opposite transfers then queue instead of deadlocking.
    locked = list(
        StockLevel.objects.select_for_update()
        .filter(variant=variant, location__in=[from_location, to_location])
        .order_by("pk")
    )
    source = next((lv for lv in locked if lv.location_id == from_location.pk), None)
    if source is None or source.available < quantity:
        raise InsufficientStock(
            f"Only {source.available if source else 0} of {variant.sku} available at {from_location.code}.",
            detail=_detail(
                variant, from_location, requested=quantity, available=source.available if source else 0
            ),
        )
    transfer_id = uuid.uuid4()
    reference = reference or f"TR-{transfer_id.hex[:10].upper()}"
    new_source = _update_level(
        variant=variant, location=from_location, on_hand_delta=-quantity, reserved_delta=0
    )
    new_destination = _update_level(
        variant=variant, location=to_location, on_hand_delta=quantity, reserved_delta=0
    )
    assert new_source is not None and new_destination is not None
    movements: list[StockMovement] = []
    for lot_row, taken in _lot_parts(variant=variant, location=from_location, quantity=quantity):
        dest_lot = None
        if lot_row is not None:
            dest_lot = _get_or_create_lot(
                variant=variant,
                location=to_location,
                lot=LotInput(lot_row.batch, lot_row.expiry_date),
                lock=True,
            )
            StockLot.objects.filter(pk=dest_lot.pk).update(quantity=F("quantity") + taken)
        movements.append(
            _write_movement(
                variant=variant,
                location=from_location,
                lot=lot_row,
                quantity=-taken,
                reserved_delta=0,
                reason=MovementReason.TRANSFER_OUT,
                reference=reference,
                user=user,
                transfer_id=transfer_id,
            )
        )
        movements.append(
            _write_movement(
                variant=variant,
                location=to_location,
                lot=dest_lot,
                quantity=taken,
                reserved_delta=0,
                reason=MovementReason.TRANSFER_IN,
                reference=reference,
                user=user,
                transfer_id=transfer_id,
            )
        )
    _after_change(new_source, available_delta=-quantity)
    _after_change(new_destination, available_delta=quantity)
    return TransferResult(
        transfer_id=transfer_id, source=new_source, destination=new_destination, movements=movements
    )


# --- reservations ---------------------------------------------------------------------------------


@transaction.atomic
def reserve_stock(
    *,
    variant: Variant,
    location: Location,
    quantity: int,
    ttl_seconds: int | None = None,
    reference: str = "",
    user: User | None = None,
) -> Reservation:
    """Hold units for a checkout or a click & collect order until ``expires_at``."""
    _check_quantity(quantity)
    ttl = settings.INVENTORY_DEFAULT_RESERVATION_TTL if ttl_seconds is None else ttl_seconds
    if not _is_whole(ttl) or not 0 < ttl <= settings.INVENTORY_MAX_RESERVATION_TTL:
        raise InvalidQuantity(
            f"ttl_seconds must be between 1 and {settings.INVENTORY_MAX_RESERVATION_TTL}.",
            detail={"field": "ttl_seconds"},
        )
    level = _update_level(variant=variant, location=location, on_hand_delta=0, reserved_delta=quantity)
    if level is None:
        raise _insufficient(variant, location, quantity)
    reservation = Reservation.objects.create(
        variant=variant,
        location=location,
        quantity=quantity,
        reference=reference,
        created_by=user,
        expires_at=timezone.now() + dt.timedelta(seconds=ttl),
    )
    _write_movement(
        variant=variant,
        location=location,
        lot=None,
        quantity=0,
        reserved_delta=quantity,
        reason=MovementReason.RESERVATION_TAKEN,
        reference=reference,
        user=user,
        reservation=reservation,
    )
    _after_change(level, available_delta=-quantity)
    return reservation


@transaction.atomic
def release_reservation(
    *, reservation: Reservation, user: User | None = None, expired: bool = False
) -> Reservation:
    """Give reserved units back to the available stock (payment failed, cart abandoned, expiry)."""
    reservation = _lock_active_reservation(reservation)
    level = _update_level(
        variant=reservation.variant,
        location=reservation.location,
        on_hand_delta=0,
        reserved_delta=-reservation.quantity,
    )
    assert level is not None, "a reservation's units are always counted in reserved"
    reservation.status = ReservationStatus.EXPIRED if expired else ReservationStatus.RELEASED
    reservation.closed_at = timezone.now()
    reservation.save(update_fields=["status", "closed_at"])
    reason = MovementReason.RESERVATION_EXPIRED if expired else MovementReason.RESERVATION_RELEASED
    _write_movement(
        variant=reservation.variant,
        location=reservation.location,
        lot=None,
        quantity=0,
        reserved_delta=-reservation.quantity,
        reason=reason,
        reference=reservation.reference,
        user=user,
        reservation=reservation,
    )
    _after_change(level, available_delta=reservation.quantity)
    return reservation


@transaction.atomic
def commit_reservation(*, reservation: Reservation, user: User | None = None) -> Reservation:
    """The reserved units are sold: they leave on hand and reserved together.

    An active reservation can be committed even a little after ``expires_at`` if the expiry task has
    not released it yet: the units are still held, and a shopper who has paid must get them.
    """
    reservation = _lock_active_reservation(reservation)
    variant, location, quantity = reservation.variant, reservation.location, reservation.quantity
    level = _update_level(
        variant=variant, location=location, on_hand_delta=-quantity, reserved_delta=-quantity
    )
    assert level is not None, "reserved units are always on hand"
    for lot_row, taken in _lot_parts(variant=variant, location=location, quantity=quantity):
        _write_movement(
            variant=variant,
            location=location,
            lot=lot_row,
            quantity=-taken,
            reserved_delta=-taken,
            reason=MovementReason.RESERVATION_COMMITTED,
            reference=reservation.reference,
            user=user,
            reservation=reservation,
        )
    reservation.status = ReservationStatus.COMMITTED
    reservation.closed_at = timezone.now()
    reservation.save(update_fields=["status", "closed_at"])
    _after_change(level, available_delta=0)
    return reservation


@transaction.atomic
def extend_reservation(*, reservation: Reservation, expires_at: dt.datetime) -> Reservation:
    """Hold an active reservation until at least ``expires_at`` (a paid click & collect order waits for
    its shopper). Only ever moves the expiry later. Not a stock change: no ledger row, no broadcast."""
    reservation = _lock_active_reservation(reservation)
    if expires_at > reservation.expires_at:
        reservation.expires_at = expires_at
        reservation.save(update_fields=["expires_at"])
    return reservation


def release_expired_reservations(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Release every active reservation past its expiry; each in its own short transaction."""
    now = now or timezone.now()
    ids = list(
        Reservation.objects.filter(status=ReservationStatus.ACTIVE, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    released = 0
    for pk in ids:
        with transaction.atomic():
            reservation = Reservation.objects.select_for_update(no_key=True).filter(pk=pk).first()
            if (
                reservation is None
                or reservation.status != ReservationStatus.ACTIVE
                or reservation.expires_at > now
            ):
                continue  # committed or released meanwhile
            release_reservation(reservation=reservation, expired=True)
            released += 1
    return released


# --- initial load (seed data, first ERP import) ---------------------------------------------------


@dataclass(frozen=True)
class InitialStock:
    """One line of an initial load: ``quantity`` units of a variant at a location (one batch if tracked)."""

    variant_id: int
    location_id: int
    quantity: int
    lot: LotInput | None = None
    low_stock_threshold: int | None = None


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
        ["variant", "location", "on_hand", "reserved", "version", "low_stock_threshold", "updated_at"],
        [(v, loc, quantity, 0, 1, thresholds.get((v, loc)), now) for (v, loc), quantity in on_hand.items()],
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
    return InitialLoadResult(levels=len(on_hand), lots=len(lot_rows), movements=len(movements))


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


# --- alerts ---------------------------------------------------------------------------------------


def set_low_stock_threshold(*, variant: Variant, location: Location, threshold: int | None) -> StockLevel:
    """Thresholds are configuration, not stock: no ledger row, but the level row must exist."""
    if threshold is not None and (not _is_whole(threshold) or threshold < 0):
        raise InvalidQuantity("A threshold must be a whole number, zero or more.")
    level, _ = StockLevel.objects.get_or_create(variant=variant, location=location)
    StockLevel.objects.filter(pk=level.pk).update(low_stock_threshold=threshold)
    level.low_stock_threshold = threshold
    return level


def acknowledge_stock_alerts(*, alert_ids: Iterable[int], user: User | None) -> int:
    """Staff have seen these alerts. Configuration, not stock: no ledger row. Returns how many changed.

    An alert already acknowledged keeps its first acknowledgement (who and when).
    """
    return StockAlert.objects.filter(pk__in=list(alert_ids), acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user if user and user.is_authenticated else None
    )


def notify_low_stock(*, alert_id: int) -> bool:
    """E-mail the location's store managers (or the fallback address) once per alert."""
    from django.core.mail import send_mail

    from accounts.models import Role

    with transaction.atomic():
        alert = (
            # of=("self",): lock the alert only. A bare FOR UPDATE with select_related would also lock the
            # variant, product and location rows and block every stock change at that location meanwhile.
            StockAlert.objects.select_for_update(of=("self",))
            .select_related("variant__product", "location")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None or alert.emailed_at is not None:
            return False
        recipients = list(
            alert.location.staff_members.filter(groups__name=Role.STORE_MANAGER, is_active=True).values_list(
                "email", flat=True
            )
        ) or [settings.INVENTORY_ALERT_FALLBACK_EMAIL]
        alert.emailed_at = timezone.now()
        alert.save(update_fields=["emailed_at"])
    # Mark first, then send outside the transaction: at most one e-mail per alert.
    send_mail(
        subject=f"[{alert.location.code}] Low stock: {alert.variant.sku}",
        message=(
            f"{alert.variant.product.name} ({alert.variant.sku}) is down to {alert.available} available "
            f"at {alert.location.name}; the alert threshold is {alert.threshold}."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
    return True


# --- internals ------------------------------------------------------------------------------------


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_quantity(quantity: object) -> None:
    if not _is_whole(quantity) or quantity <= 0:  # type: ignore[operator]
        raise InvalidQuantity(detail={"quantity": quantity})


def _detail(variant: Variant, location: Location, *, requested: int, available: int) -> dict[str, Any]:
    return {"sku": variant.sku, "location": location.code, "requested": requested, "available": available}


def _insufficient(variant: Variant, location: Location, requested: int) -> InsufficientStock:
    level = StockLevel.objects.filter(variant=variant, location=location).first()
    available = level.available if level else 0
    return InsufficientStock(
        f"Only {available} of {variant.sku} available at {location.code}, {requested} requested.",
        detail=_detail(variant, location, requested=requested, available=available),
    )


def _update_level(
    *, variant: Variant, location: Location, on_hand_delta: int, reserved_delta: int
) -> StockLevel | None:
    """The one conditional UPDATE. Returns the level as it now is, or None if it would break a rule."""
    rows = StockLevel.objects.filter(
        variant=variant,
        location=location,
        on_hand__gte=F("reserved") + (reserved_delta - on_hand_delta),  # new on_hand >= new reserved
        reserved__gte=max(0, -reserved_delta),  # new reserved >= 0
    ).update(
        on_hand=F("on_hand") + on_hand_delta,
        reserved=F("reserved") + reserved_delta,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if rows == 0:
        return None
    # We hold the row lock until commit, so this read is exactly our result.
    return StockLevel.objects.select_related("variant", "location").get(variant=variant, location=location)


def _write_movement(
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
    return StockMovement.objects.create(
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


def _refuse_lot_for_untracked(variant: Variant, lot: LotInput | None) -> None:
    """A batch number on a variant without lots would be silently lost: say so instead."""
    if lot is not None and not variant.product.tracks_lots:
        raise LotNotTracked(detail={"sku": variant.sku, "batch": lot.batch})


def _add(
    *,
    variant: Variant,
    location: Location,
    quantity: int,
    reason: str,
    reference: str,
    user: User | None,
    lot: LotInput | None,
) -> StockChange:
    _check_quantity(quantity)
    tracked = variant.product.tracks_lots
    if tracked and (lot is None or not lot.batch):
        raise LotRequired()
    _refuse_lot_for_untracked(variant, lot)
    StockLevel.objects.get_or_create(variant=variant, location=location)
    level = _update_level(variant=variant, location=location, on_hand_delta=quantity, reserved_delta=0)
    assert level is not None  # adding never breaks a rule
    # The lot only after the level: every service locks a level before its lots, so a receipt creating
    # a new batch cannot deadlock with a transfer bringing the same batch in.
    lot_row = _get_or_create_lot(variant=variant, location=location, lot=lot, lock=False) if tracked else None
    if lot_row is not None:
        StockLot.objects.filter(pk=lot_row.pk).update(quantity=F("quantity") + quantity)
    movement = _write_movement(
        variant=variant,
        location=location,
        lot=lot_row,
        quantity=quantity,
        reserved_delta=0,
        reason=reason,
        reference=reference,
        user=user,
    )
    _after_change(level, available_delta=quantity)
    return StockChange(level=level, movements=[movement])


def _remove(
    *, variant: Variant, location: Location, quantity: int, reason: str, reference: str, user: User | None
) -> StockChange:
    _check_quantity(quantity)
    level = _update_level(variant=variant, location=location, on_hand_delta=-quantity, reserved_delta=0)
    if level is None:
        raise _insufficient(variant, location, quantity)
    movements = [
        _write_movement(
            variant=variant,
            location=location,
            lot=lot_row,
            quantity=-taken,
            reserved_delta=0,
            reason=reason,
            reference=reference,
            user=user,
        )
        for lot_row, taken in _lot_parts(variant=variant, location=location, quantity=quantity)
    ]
    _after_change(level, available_delta=-quantity)
    return StockChange(level=level, movements=movements)


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


def _lock_active_reservation(reservation: Reservation) -> Reservation:
    locked = (
        # Lock the reservation row only (of=self), and as NO KEY UPDATE. A bare FOR UPDATE joined through
        # select_related also locked the variant, product and location rows; every ledger INSERT takes a
        # KEY SHARE lock on its variant and location (foreign keys), so a commit waiting for a level held
        # by a transfer that itself waited on our variant lock deadlocked (found by test_invariants).
        Reservation.objects.select_for_update(of=("self",), no_key=True)
        .select_related("variant__product", "location")
        .get(pk=reservation.pk)
    )
    if locked.status != ReservationStatus.ACTIVE:
        raise ReservationNotActive(
            f"Reservation {locked.pk} is {locked.status}.",
            detail={"id": str(locked.pk), "status": locked.status},
        )
    return locked


def _after_change(level: StockLevel, *, available_delta: int) -> None:
    """Raise a low-stock alert if this change crossed the threshold; push the figures after commit."""
    from . import realtime, tasks

    threshold = level.low_stock_threshold
    if threshold is not None and level.available <= threshold < level.available - available_delta:
        alert = StockAlert.objects.create(
            variant_id=level.variant_id,
            location_id=level.location_id,
            threshold=threshold,
            available=level.available,
        )
        transaction.on_commit(lambda: tasks.send_low_stock_alert.delay(alert_id=alert.pk))
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
