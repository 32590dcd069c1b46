"""Reservations: units held for a checkout or a click & collect order, then committed (sold), released
or extended. The ``*_many`` services take every reservation of an order at once; the single-line
functions are the same code with one reservation, for the stock API, the admin and the expiry task.

Locks, in this order: the reservation rows (``lock_reservations``, primary-key order), then their
levels (``lock_levels``, location then variant). Every reservation service takes them so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..errors import InvalidQuantity
from ..models import MovementReason, Reservation, ReservationStatus
from .levels import (
    Key,
    StockLine,
    _after_changes,
    _apply,
    _check_quantity,
    _check_takes,
    _is_whole,
    _lot_parts,
    _take_from_one_level,
    _write_movement,
    key_of,
)
from .locking import lock_levels, lock_reservations

if TYPE_CHECKING:
    from accounts.models import User
    from catalog.models import Variant

    from ..models import Location


# --- batches --------------------------------------------------------------------------------------


@transaction.atomic
def reserve_many(
    *,
    lines: Sequence[StockLine],
    location: Location,
    ttl_seconds: int | None = None,
    reference: str = "",
    user: User | None = None,
) -> list[Reservation]:
    """Hold units of every line at ``location`` until ``expires_at``: one reservation per line, in
    the order given. ``InsufficientStock`` names the first line that cannot be held; nothing is written.
    """
    for line in lines:
        _check_quantity(line.quantity)
    ttl = settings.INVENTORY_DEFAULT_RESERVATION_TTL if ttl_seconds is None else ttl_seconds
    if not _is_whole(ttl) or not 0 < ttl <= settings.INVENTORY_MAX_RESERVATION_TTL:
        raise InvalidQuantity(
            f"ttl_seconds must be between 1 and {settings.INVENTORY_MAX_RESERVATION_TTL}.",
            detail={"field": "ttl_seconds"},
        )
    one_level = len({line.variant.pk for line in lines}) == 1
    if one_level:  # one conditional UPDATE holds the whole batch (it checks the total)
        level = _take_from_one_level(
            variant=lines[0].variant,
            location=location,
            quantities=[line.quantity for line in lines],
            reserve=True,
        )
        levels = {key_of(location, lines[0].variant): level}
    else:
        levels = lock_levels((location, line.variant) for line in lines)
        _check_takes(levels, ((line.variant, location, line.quantity) for line in lines))
    expires_at = timezone.now() + dt.timedelta(seconds=ttl)
    deltas: dict[Key, int] = {}
    reservations = []
    for line in lines:
        key = key_of(location, line.variant)
        if not one_level:
            _apply(levels[key], on_hand_delta=0, reserved_delta=line.quantity)
        reservation = Reservation.objects.create(
            variant=line.variant,
            location=location,
            quantity=line.quantity,
            reference=reference,
            created_by=user,
            expires_at=expires_at,
        )
        _write_movement(
            variant=line.variant,
            location=location,
            lot=None,
            quantity=0,
            reserved_delta=line.quantity,
            reason=MovementReason.RESERVATION_TAKEN,
            reference=reference,
            user=user,
            reservation=reservation,
        )
        deltas[key] = deltas.get(key, 0) - line.quantity
        reservations.append(reservation)
    _after_changes(levels, deltas)
    return reservations


@transaction.atomic
def release_many(
    *, reservations: Iterable[Reservation], user: User | None = None, expired: bool = False
) -> list[Reservation]:
    """Give reserved units back to the available stock (payment failed, order cancelled, expiry).

    ``ReservationNotActive`` if one of them is no longer active: nothing is released."""
    locked = lock_reservations(reservations)
    levels = lock_levels((r.location, r.variant) for r in locked)
    now = timezone.now()
    status = ReservationStatus.EXPIRED if expired else ReservationStatus.RELEASED
    reason = MovementReason.RESERVATION_EXPIRED if expired else MovementReason.RESERVATION_RELEASED
    deltas: dict[Key, int] = {}
    for reservation in locked:
        key = key_of(reservation.location, reservation.variant)
        _apply(levels[key], on_hand_delta=0, reserved_delta=-reservation.quantity)
        reservation.status = status
        reservation.closed_at = now
        reservation.save(update_fields=["status", "closed_at"])
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
        deltas[key] = deltas.get(key, 0) + reservation.quantity
    _after_changes(levels, deltas)
    return locked


@transaction.atomic
def release_units_many(
    *, parts: Sequence[tuple[Reservation, int]], user: User | None = None, reference: str = ""
) -> list[Reservation]:
    """Give back some units of active reservations (lines of a held order cancelled in part): each
    reservation keeps its other units; one that gives back all of them is released. One ledger row
    per reservation (reason released). ``ReservationNotActive`` if one is no longer active and
    ``InvalidQuantity`` for a quantity below 1 or above what it holds: nothing is released."""
    wanted: dict[object, int] = {}
    for reservation, quantity in parts:
        _check_quantity(quantity)
        wanted[reservation.pk] = wanted.get(reservation.pk, 0) + quantity
    locked = lock_reservations([reservation for reservation, _ in parts])
    for reservation in locked:
        if wanted[reservation.pk] > reservation.quantity:
            raise InvalidQuantity(
                f"Reservation {reservation.pk} holds {reservation.quantity} units, "
                f"not {wanted[reservation.pk]}.",
                detail={"reservation": str(reservation.pk), "held": reservation.quantity},
            )
    levels = lock_levels((r.location, r.variant) for r in locked)
    now = timezone.now()
    deltas: dict[Key, int] = {}
    for reservation in locked:
        quantity = wanted[reservation.pk]
        key = key_of(reservation.location, reservation.variant)
        _apply(levels[key], on_hand_delta=0, reserved_delta=-quantity)
        if quantity == reservation.quantity:
            reservation.status = ReservationStatus.RELEASED
            reservation.closed_at = now
            reservation.save(update_fields=["status", "closed_at"])
        else:
            reservation.quantity -= quantity
            reservation.save(update_fields=["quantity"])
        _write_movement(
            variant=reservation.variant,
            location=reservation.location,
            lot=None,
            quantity=0,
            reserved_delta=-quantity,
            reason=MovementReason.RESERVATION_RELEASED,
            reference=reference or reservation.reference,
            user=user,
            reservation=reservation,
        )
        deltas[key] = deltas.get(key, 0) + quantity
    _after_changes(levels, deltas)
    return locked


@transaction.atomic
def commit_many(*, reservations: Iterable[Reservation], user: User | None = None) -> list[Reservation]:
    """The reserved units are sold: they leave on hand and reserved together (lots FEFO).

    An active reservation can be committed even a little after ``expires_at`` if the expiry task has
    not released it yet: the units are still held, and a shopper who has paid must get them.
    ``ReservationNotActive`` if one of them is no longer active: nothing is committed."""
    locked = lock_reservations(reservations)
    levels = lock_levels((r.location, r.variant) for r in locked)
    now = timezone.now()
    deltas: dict[Key, int] = {}
    for reservation in locked:
        variant, location, quantity = reservation.variant, reservation.location, reservation.quantity
        key = key_of(location, variant)
        _apply(levels[key], on_hand_delta=-quantity, reserved_delta=-quantity)  # reserved units are on hand
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
        reservation.closed_at = now
        reservation.save(update_fields=["status", "closed_at"])
        deltas[key] = deltas.get(key, 0)
    _after_changes(levels, deltas)
    return locked


@transaction.atomic
def extend_many(
    *, reservations: Iterable[Reservation], expires_at: dt.datetime, only_active: bool = False
) -> list[Reservation]:
    """Hold active reservations until at least ``expires_at`` (a paid click & collect order waits for
    its shopper). Only ever moves an expiry later. Not a stock change: no ledger row, no broadcast.

    ``ReservationNotActive`` if one is no longer active, unless ``only_active``: those are left out of
    the result (committed or released meanwhile)."""
    locked = lock_reservations(reservations, only_active=only_active)
    later = [r.pk for r in locked if expires_at > r.expires_at]
    if later:
        Reservation.objects.filter(pk__in=later).update(expires_at=expires_at)
        for reservation in locked:
            if reservation.pk in later:
                reservation.expires_at = expires_at
    return locked


# --- one reservation ------------------------------------------------------------------------------


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
    return reserve_many(
        lines=[StockLine(variant, quantity)],
        location=location,
        ttl_seconds=ttl_seconds,
        reference=reference,
        user=user,
    )[0]


def release_reservation(
    *, reservation: Reservation, user: User | None = None, expired: bool = False
) -> Reservation:
    """Give reserved units back to the available stock (payment failed, cart abandoned, expiry)."""
    return release_many(reservations=[reservation], user=user, expired=expired)[0]


def commit_reservation(*, reservation: Reservation, user: User | None = None) -> Reservation:
    """The reserved units are sold: they leave on hand and reserved together (see ``commit_many``)."""
    return commit_many(reservations=[reservation], user=user)[0]


def extend_reservation(*, reservation: Reservation, expires_at: dt.datetime) -> Reservation:
    """Hold an active reservation until at least ``expires_at`` (see ``extend_many``)."""
    return extend_many(reservations=[reservation], expires_at=expires_at)[0]


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
