"""Transfers: available units move between two locations in one transaction, a ledger row on each side."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F

from ..errors import SameLocation
from ..models import MovementReason, StockLevel, StockLot, StockMovement
from .levels import (
    LotInput,
    _after_changes,
    _apply,
    _check_quantity,
    _check_takes,
    _get_or_create_lot,
    _lot_parts,
    _write_movement,
    key_of,
)
from .locking import lock_levels

if TYPE_CHECKING:
    from accounts.models import User
    from catalog.models import Variant

    from ..models import Location


@dataclass
class TransferResult:
    transfer_id: uuid.UUID
    source: StockLevel
    destination: StockLevel
    movements: list[StockMovement] = field(default_factory=list)


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
    # Both levels in the global order: two opposite transfers then queue instead of deadlocking.
    levels = lock_levels([(from_location, variant), (to_location, variant)])
    source_key, destination_key = key_of(from_location, variant), key_of(to_location, variant)
    _check_takes(levels, [(variant, from_location, quantity)])
    source, destination = levels[source_key], levels[destination_key]
    transfer_id = uuid.uuid4()
    reference = reference or f"TR-{transfer_id.hex[:10].upper()}"
    _apply(source, on_hand_delta=-quantity, reserved_delta=0)
    _apply(destination, on_hand_delta=quantity, reserved_delta=0)
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
    _after_changes(levels, {source_key: -quantity, destination_key: quantity})
    return TransferResult(
        transfer_id=transfer_id, source=source, destination=destination, movements=movements
    )
