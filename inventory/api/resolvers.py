"""Turn the codes the API speaks (SKU, location code, reservation id) into rows, or a clear 404.

The API never takes database ids for variants and locations. Unknown codes are always a 404 with a
stable code, whether they come from the query string or the body: ``unknown_sku``,
``unknown_location``; an unknown reservation id is ``not_found``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from catalog.models import Variant
from catalog.selectors import missing_skus, variant_by_sku
from core.errors import NotFound

from ..errors import UnknownLocation, UnknownSku
from ..models import Location, Reservation


def resolve_variant(sku: str) -> Variant:
    return variant_by_sku(sku)


def resolve_location(code: str, *, field: str = "location") -> Location:
    location = Location.objects.filter(code=code).first()
    if location is None:
        raise UnknownLocation(f"No location has the code {code!r}.", detail={field: code})
    return location


def ensure_skus_exist(skus: Iterable[str]) -> None:
    """For filters: every SKU asked for must exist (one query)."""
    wanted = set(skus)
    missing = missing_skus(wanted)
    if missing:
        raise UnknownSku(f"No product variant has the SKU {missing[0]!r}.", detail={"sku": missing})


def ensure_locations_exist(codes: Iterable[str]) -> None:
    """For filters: every location code asked for must exist (one query)."""
    wanted = set(codes)
    missing = sorted(wanted - set(Location.objects.filter(code__in=wanted).values_list("code", flat=True)))
    if missing:
        raise UnknownLocation(f"No location has the code {missing[0]!r}.", detail={"location": missing})


def resolve_reservation(reservation_id: str) -> Reservation:
    try:
        pk = uuid.UUID(str(reservation_id))
    except ValueError:
        pk = None
    reservation = (
        Reservation.objects.select_related("variant__product", "location").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if reservation is None:
        raise NotFound(f"No reservation has the id {reservation_id!r}.", detail={"id": str(reservation_id)})
    return reservation
