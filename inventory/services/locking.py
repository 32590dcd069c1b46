"""The one way to lock stock: every level a transaction changes, at once, in one global order.

Two transactions that each lock several rows deadlock when they take them in different orders (a
web checkout reserving in cart order against a POS sale in variant order, a hand-over committing in
line order against an exchange). So every stock write locks the levels it will touch through
``lock_levels``, before it changes any of them, ordered by location id then variant id: two writers
then wait for each other in a line, never in a circle. Re-locking rows the transaction already holds
(a batch after the caller locked a union, see ``pos.services.returns.create_exchange``) waits for
nothing.

Reservations are locked by ``lock_reservations`` in primary-key order, before their levels, as
every service that closes or extends reservations does.

The rest of a writer's locks (its order row, register session, document number) come before the
stock levels: take the levels last, with nothing locked after them but lots and the rows you insert.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Q

from ..errors import ReservationNotActive
from ..models import Reservation, ReservationStatus, StockLevel
from .levels import Key, key_of

if TYPE_CHECKING:
    from catalog.models import Variant

    from ..models import Location


def lock_levels(pairs: Iterable[tuple[Location | int, Variant | int]]) -> dict[Key, StockLevel]:
    """Lock the stock levels of every (location, variant) pair, creating the missing ones (at zero).

    Rows are locked ``FOR NO KEY UPDATE`` (the ledger rows we insert reference variants and locations,
    not levels, so nothing we or others insert waits on them), the level only (``of=self``: the variant,
    product and location read along stay unlocked), by location id then variant id: one query when
    every level exists. Missing levels are then inserted, sorted the same way, ignoring a row a
    concurrent transaction inserted meanwhile, and locked: two first sales of the same new pair cannot
    deadlock either.

    Returns ``{(location_id, variant_id): level}``, every level with its variant, product and location.
    Call it inside the transaction that changes the levels: the locks last until it ends.
    """
    keys = sorted({key_of(location, variant) for location, variant in pairs})
    if not keys:
        return {}
    locked = _select_for_update(keys)
    missing = [key for key in keys if key not in locked]
    if missing:
        # First stock of a pair (rare once stock is received): insert the missing levels in the same
        # order, then lock them. Every other level was locked above, so a transaction only ever waits
        # on an insert while holding all its existing rows, and inserts go in key order: no cycle.
        StockLevel.objects.bulk_create(
            [StockLevel(location_id=loc, variant_id=variant) for loc, variant in missing],
            ignore_conflicts=True,
        )
        locked.update(_select_for_update(missing))
    return {key: locked[key] for key in keys}


def _select_for_update(keys: list[Key]) -> dict[Key, StockLevel]:
    by_location: dict[int, list[int]] = {}
    for location_id, variant_id in keys:
        by_location.setdefault(location_id, []).append(variant_id)
    where = reduce(
        or_, (Q(location_id=loc, variant_id__in=variants) for loc, variants in by_location.items())
    )
    levels = (
        StockLevel.objects.select_for_update(of=("self",), no_key=True)
        .select_related("variant__product", "location")
        .filter(where)
        .order_by("location_id", "variant_id")
    )
    return {(level.location_id, level.variant_id): level for level in levels}


def lock_reservations(reservations: Iterable[Reservation], *, only_active: bool = False) -> list[Reservation]:
    """Lock reservation rows in primary-key order (``FOR NO KEY UPDATE``, the row only), fresh from the
    database, in the order given. Raises ``ReservationNotActive`` for the first one that is not active;
    ``only_active`` leaves those out instead."""
    wanted = list(dict.fromkeys(r.pk for r in reservations))
    if not wanted:
        return []
    locked = {
        r.pk: r
        for r in Reservation.objects.select_for_update(of=("self",), no_key=True)
        .select_related("variant__product", "location")
        .filter(pk__in=wanted)
        .order_by("pk")
    }
    result = []
    for pk in wanted:
        reservation = locked.get(pk)
        if reservation is None and only_active:
            continue
        if reservation is None:
            raise Reservation.DoesNotExist(f"Reservation {pk} does not exist.")
        if reservation.status != ReservationStatus.ACTIVE:
            if only_active:
                continue
            raise ReservationNotActive(
                f"Reservation {reservation.pk} is {reservation.status}.",
                detail={"id": str(reservation.pk), "status": reservation.status},
            )
        result.append(reservation)
    return result
