"""The one interface every carrier speaks, in plain values (no models): logistics services turn
parcels into ``LabelRequest``s and carrier answers into ``TrackingUpdate``s.

A client either answers or raises ``CarrierError`` (down, timeout, refused): the caller leaves the
parcel in "label failed" with ``reason`` and offers a retry. Labels are always rendered by us
(``logistics.labels``, WeasyPrint, 10x15 cm) from the tracking number the carrier gives.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


class TrackingStatus(enum.StrEnum):
    """The carrier-independent steps; values match ``ShipmentStatus``."""

    SHIPPED = "shipped"  # the carrier has it (or has the label data)
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"  # failed delivery attempt, damaged, returned to sender ...


@dataclass(frozen=True)
class PostalAddress:
    name: str
    line1: str
    postal_code: str
    city: str
    country: str = "FR"
    line2: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class LabelRequest:
    reference: str  # our parcel reference (shipment number + parcel index), sent to the carrier
    sender: PostalAddress
    recipient: PostalAddress
    weight_grams: int
    service: str = ""  # the carrier's product code; "" lets the client pick its default
    is_return: bool = False  # a prepaid return label: sender is the shopper, recipient the warehouse
    value_eur: str = "0.00"  # declared value (insurance, customs)


@dataclass(frozen=True)
class LabelResult:
    tracking_number: str
    service: str  # the product the carrier used, printed on the label ("Colissimo Domicile", ...)
    carrier_reference: str = ""  # the carrier's own shipment id, when distinct from tracking_number
    routing_code: str = ""  # sort/routing code to print, when the carrier gives one


@dataclass(frozen=True)
class TrackingUpdate:
    tracking_number: str
    event_key: str  # stable per event: replaying it changes nothing
    status: TrackingStatus
    occurred_at: dt.datetime
    code: str = ""
    description: str = ""
    place: str = ""


class CarrierError(Exception):
    """The carrier could not be reached or refused the request; ``reason`` is for the staff screen."""

    def __init__(self, reason: str, *, retryable: bool = True, detail: Mapping[str, object] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.detail = dict(detail or {})


class InvalidCarrierWebhook(Exception):
    """A pushed tracking event whose signature or body does not check out: nothing is recorded."""


class CarrierClient(Protocol):
    code: str  # "colissimo", "dpd", "laposte", "courier"
    name: str
    has_api: bool  # False: the store courier (no label from a carrier, no tracking to poll)

    def create_label(self, request: LabelRequest) -> LabelResult: ...

    def track(self, tracking_number: str) -> list[TrackingUpdate]: ...

    def tracking_url(self, tracking_number: str) -> str: ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[TrackingUpdate]:
        """Verify and read a pushed event; ``InvalidCarrierWebhook`` if it does not check out."""
        ...


@dataclass
class CourierClient:
    """The store's own courier: no API. The tracking number is our parcel reference; staff mark
    the steps by hand (``TrackingSource.STAFF``)."""

    code: str = "courier"
    name: str = "Coursier du magasin"
    has_api: bool = False
    issued: list[str] = field(default_factory=list)

    def create_label(self, request: LabelRequest) -> LabelResult:
        return LabelResult(tracking_number=request.reference, service="Livraison coursier")

    def track(self, tracking_number: str) -> list[TrackingUpdate]:
        return []

    def tracking_url(self, tracking_number: str) -> str:
        return ""

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[TrackingUpdate]:
        raise InvalidCarrierWebhook("the store courier pushes no events")
