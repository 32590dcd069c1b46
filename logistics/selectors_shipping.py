"""Reads of shipments, parcels and tracking events for the API, the portal, the back office's order
screen and the dispatch page. Each runs a fixed number of queries whatever the number of parcels
or events (the tests pin them).

Who may act on a shipment (``can_manage``): chain staff and managers (``act_on_any_location``)
anywhere; a store manager (``orders.view_order``) for the shipments that leave their store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from .fulfilment_models import LabelStatus, Parcel, Shipment, ShipmentStatus, TrackingEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

CHAIN_WIDE = "inventory.act_on_any_location"
STORE_MANAGER = "orders.view_order"


def _with_parcels(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    parcels = Parcel.objects.order_by("id").prefetch_related(
        Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "id"))
    )
    return shipments.select_related("location").prefetch_related(Prefetch("parcels", queryset=parcels))


def shipments_of(order_id: int, *, location_ids: list[int] | None = None) -> list[Shipment]:
    """The order's shipments, oldest first, each with its location, its parcels and their tracking
    events (prefetched: ``shipment.parcels.all()``, ``parcel.events.all()``). Three queries.
    ``location_ids``: only the shipments leaving those locations."""
    shipments = Shipment.objects.filter(order_id=order_id)
    if location_ids is not None:
        shipments = shipments.filter(location_id__in=location_ids)
    return list(_with_parcels(shipments.order_by("created_at", "id")))


def is_chain_wide(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.has_perm(CHAIN_WIDE))


def managed_location_ids(user: User | AnonymousUser) -> list[int] | None:
    """None: every location (staff, managers); else the store manager's own store (or nothing)."""
    if is_chain_wide(user):
        return None
    store_id: int | None = getattr(user, "store_id", None)
    if user.is_authenticated and store_id is not None and user.has_perm(STORE_MANAGER):
        return [store_id]
    return []


def can_manage(user: User | AnonymousUser, shipment: Shipment) -> bool:
    ids = managed_location_ids(user)
    return ids is None or shipment.location_id in ids


def manageable_shipment(user: User | AnonymousUser, shipment_id: int) -> Shipment | None:
    """The shipment if ``user`` may act on it (None otherwise, or unknown), with its parcels."""
    shipments = Shipment.objects.filter(pk=shipment_id)
    ids = managed_location_ids(user)
    if ids is not None:
        shipments = shipments.filter(location_id__in=ids)
    return _with_parcels(shipments.select_related("order")).first()


def dispatch_list(*, location_ids: list[int] | None) -> list[Shipment]:
    """The dispatch page: shipments packed or labelled, not yet handed over, at these locations
    (None: all), oldest first, with their parcels. A labelled one is ready to go; a packed one waits
    for a label (pending or failed)."""
    shipments = Shipment.objects.filter(status__in=[ShipmentStatus.PACKED, ShipmentStatus.LABELLED])
    if location_ids is not None:
        shipments = shipments.filter(location_id__in=location_ids)
    return list(_with_parcels(shipments.select_related("order").order_by("created_at", "id")))


def shipment_labels(shipment: Shipment) -> tuple[list[Parcel], list[Parcel]]:
    """(ready, waiting): the shipment's parcels with their label, and those still pending or failed."""
    parcels = list(shipment.parcels.all())
    ready = [p for p in parcels if p.label_status == LabelStatus.READY and p.label_pdf]
    return ready, [p for p in parcels if p not in ready]
