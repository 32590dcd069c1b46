"""Bin locations: where a variant sits in a location (aisle-shelf-bin). Picking walks in their order.

A bin is not stock: setting it changes no quantity and writes no ledger row, so one UPDATE of the
level's ``bin_location`` is enough (it never waits on, nor blocks, the quantity writers' row lock
for longer than that statement). A level that does not exist yet is created at zero first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from core.text import has_control_characters

from ..errors import InvalidBinLocation
from ..models import StockLevel
from .locking import lock_levels

if TYPE_CHECKING:
    from catalog.models import Variant

    from ..models import Location

BIN_MAX_LENGTH = 32


def clean_bin_location(value: str) -> str:
    """``" a-03-2 "`` → ``"A-03-2"``; ``InvalidBinLocation`` when too long or garbled."""
    cleaned = " ".join(str(value or "").split()).upper()
    if len(cleaned) > BIN_MAX_LENGTH or has_control_characters(cleaned):
        raise InvalidBinLocation(detail={"field": "bin_location", "max_length": BIN_MAX_LENGTH})
    return cleaned


@transaction.atomic
def set_bin_location(*, location: Location, variant: Variant, bin_location: str) -> StockLevel:
    """Say where ``variant`` sits at ``location`` (blank: nowhere in particular). Returns the level."""
    cleaned = clean_bin_location(bin_location)
    if not StockLevel.objects.filter(location=location, variant=variant).update(bin_location=cleaned):
        lock_levels([(location, variant)])
        StockLevel.objects.filter(location=location, variant=variant).update(bin_location=cleaned)
    return StockLevel.objects.get(location=location, variant=variant)


__all__ = ["BIN_MAX_LENGTH", "clean_bin_location", "set_bin_location"]
