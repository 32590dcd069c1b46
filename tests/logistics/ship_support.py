"""Shipments ready for labels and tracking, written directly (packing is fulfil's part), and a fake
carrier client for the label and tracking tests that need a carrier to answer or to fail.

``paid_order`` places a paid home-delivery order through ``orders.services`` (the real path);
``packed_shipment`` adds its shipment, lines and parcels as packing leaves them (PACKED, labels
PENDING).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from inventory.models import Location, LocationKind
from logistics.carriers import (
    CarrierError,
    InvalidCarrierWebhook,
    LabelRequest,
    LabelResult,
    TrackingStatus,
    TrackingUpdate,
)
from logistics.fulfilment_models import (
    LabelStatus,
    Parcel,
    ParcelItem,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)
from orders import services as order_services
from orders.models import DeliveryMethod, Order, OrderStatus
from tests.factories import LocationFactory, VariantFactory

ADDRESS = {
    "first_name": "Ana",
    "last_name": "Colonna",
    "line1": "3 rue Fesch",
    "line2": "",
    "postal_code": "20000",
    "city": "Ajaccio",
    "country": "FR",
    "phone": "+33612345678",
}

_numbers = itertools.count(1)


def warehouse() -> Location:
    return LocationFactory(
        code="WEB",
        name="Entrepôt",
        kind=LocationKind.WAREHOUSE,
        address_line="Zone industrielle du Vazzio",
        postal_code="20090",
        city="Ajaccio",
        phone="+33495000000",
    )


def paid_order(*, location: Location, units: int = 2, customer=None, carrier: str = "courier") -> Order:
    """A paid home-delivery order of ``units`` units of one variant (stock received first)."""
    from inventory import services as inventory

    variant = VariantFactory(weight_grams=300)
    inventory.receive_stock(variant=variant, location=location, quantity=units, reference="PO-1")
    order = order_services.place_web_order(
        lines=[order_services.LineInput(variant=variant, quantity=units)],
        location=location,
        delivery_method=DeliveryMethod.HOME,
        email="ana@example.com",
        customer=customer,
        shipping_address=ADDRESS,
        carrier=carrier,
    )
    return order_services.transition_order(order=order, to_status=OrderStatus.PAID)


def packed_shipment(
    order: Order,
    *,
    location: Location | None = None,
    carrier: str = "courier",
    parcels: int = 1,
    status: str = ShipmentStatus.PACKED,
) -> Shipment:
    """The order's lines in one shipment, packed into ``parcels`` parcels (labels pending)."""
    shipment = Shipment.objects.create(
        number=f"EXP-TEST-{next(_numbers):06d}",
        order=order,
        location=location or order.location,
        carrier=carrier,
        status=status,
    )
    lines = [
        ShipmentLine.objects.create(
            shipment=shipment,
            order_line=line,
            quantity=line.quantity,
            quantity_picked=line.quantity,
            quantity_packed=line.quantity,
        )
        for line in order.lines.all()
    ]
    boxes = [Parcel.objects.create(shipment=shipment, weight_grams=500 + 100 * i) for i in range(parcels)]
    for i, line in enumerate(lines):
        ParcelItem.objects.create(parcel=boxes[i % len(boxes)], shipment_line=line, quantity=line.quantity)
    return shipment


def labelled_shipment(order: Order, *, carrier: str = "fake", parcels: int = 1, **kwargs) -> Shipment:
    """A packed shipment whose parcels have their labels (tracking numbers TRK<parcel id>)."""
    shipment = packed_shipment(order, carrier=carrier, parcels=parcels, **kwargs)
    for parcel in shipment.parcels.all():
        parcel.label_status = LabelStatus.READY
        parcel.tracking_number = f"TRK{parcel.pk}"
        parcel.label_pdf.name = f"labels/test/{shipment.number}-{parcel.pk}.pdf"
        parcel.save()
    shipment.status = ShipmentStatus.LABELLED
    shipment.save()
    return shipment


def update(
    number: str, key: str, status: TrackingStatus, *, minutes: int = 0, place: str = "Ajaccio"
) -> TrackingUpdate:
    at = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
    return TrackingUpdate(
        tracking_number=number, event_key=key, status=status, occurred_at=at, code=status.upper(), place=place
    )


@dataclass
class FakeCarrier:
    """A carrier client in memory: labels numbered FK000001..., events per tracking number, and a
    switch that makes it fail (down: retryable; refusing: not). ``parse_webhook`` checks a shared
    secret in the ``X-Fake-Signature`` header and reads ``{"events": [[number, key, status, minutes]]}``."""

    code: str = "fake"
    name: str = "Fake Express"
    has_api: bool = True
    fail: CarrierError | None = None
    fail_numbers: set[str] = field(default_factory=set)
    labels: list[LabelRequest] = field(default_factory=list)
    events: dict[str, list[TrackingUpdate]] = field(default_factory=dict)
    tracked: list[str] = field(default_factory=list)
    secret: str = "s3cret"

    def create_label(self, request: LabelRequest) -> LabelResult:
        if self.fail is not None:
            raise self.fail
        self.labels.append(request)
        number = f"FK{len(self.labels):06d}"
        return LabelResult(tracking_number=number, service="Fake Domicile", carrier_reference=f"REF-{number}")

    def track(self, tracking_number: str) -> list[TrackingUpdate]:
        self.tracked.append(tracking_number)
        if tracking_number in self.fail_numbers:
            raise CarrierError("tracking service unavailable")
        return list(self.events.get(tracking_number, []))

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://fake.example/track/{tracking_number}"

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[TrackingUpdate]:
        import json

        if headers.get("X-Fake-Signature") != self.secret:
            raise InvalidCarrierWebhook("bad signature")
        try:
            rows = json.loads(body)["events"]
            return [update(str(n), str(k), TrackingStatus(s), minutes=int(m)) for n, k, s, m in rows]
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidCarrierWebhook(str(error)) from error


def use_fake_carrier(monkeypatch, carrier: FakeCarrier | None = None) -> FakeCarrier:
    """Route ``get_carrier("fake")`` to ``carrier``; the other codes to the real registry."""
    from logistics.carriers import registry

    fake = carrier or FakeCarrier()
    real = registry.get_carrier

    def get_carrier(code: str):
        return fake if code == fake.code else real(code)

    monkeypatch.setattr(registry, "get_carrier", get_carrier)
    import logistics.services_shipping as services

    monkeypatch.setattr(services, "get_carrier", get_carrier)
    return fake


def now() -> dt.datetime:
    return timezone.now()


def blank_pdf(pages: int = 1) -> bytes:
    """A PDF of ``pages`` blank 10x15 cm pages (what a stored label looks like to pypdf)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=283.46, height=425.2)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def store_labels(shipment: Shipment) -> None:
    """Write a one-page PDF for each parcel's ``label_pdf`` (set by ``labelled_shipment``)."""
    from django.core.files.base import ContentFile

    for parcel in shipment.parcels.all():
        parcel.label_pdf.storage.save(parcel.label_pdf.name, ContentFile(blank_pdf()))


def tmp_media(settings, tmp_path):
    """Label PDFs go to a fresh directory: ``media = pytest.fixture(tmp_media)`` in a test module."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
