"""The whole way with the real pieces: fulfil packs, the label task (through the outbox) asks the
local Colissimo fake, staff hand over, the Suivi fake reports the delivery by poll and by a signed
push; the shopper gets the shipped and delivered e-mails once each."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from rest_framework.test import APIClient

from logistics import services_fulfilment as fulfilment
from logistics import services_shipping as services
from logistics.carriers.suivi import EVENT_STATUS
from logistics.fulfilment_models import LabelStatus, ParcelType, Shipment, ShipmentStatus, TrackingEvent
from orders.models import OrderStatus
from tests.factories import staff
from tests.logistics.carrier_fakes import WEBHOOK_SECRETS, carrier_signature, suivi_document
from tests.logistics.fulfil_support import paid_order
from tests.logistics.shop import make_shop

from .ship_support import tmp_media

pytestmark = pytest.mark.django_db
media = pytest.fixture(tmp_media)


def packed(shop, user, capture, *lines) -> Shipment:
    order = paid_order(capture, *lines)
    shipment = Shipment.objects.get(order=order)
    wave = fulfilment.build_wave(location=shop.warehouse, shipment_ids=[shipment.pk], user=user)
    for pick in wave.lines.all():
        for _ in range(pick.quantity):
            fulfilment.scan_pick(wave=wave, barcode=pick.barcode, user=user)
    shipment.refresh_from_db()
    for variant, quantity in lines:
        for _ in range(quantity):
            fulfilment.scan_pack(shipment=shipment, barcode=variant.ean13, user=user)
    fulfilment.pack_parcel(shipment=shipment, parcel_type=ParcelType.SMALL, user=user)
    with capture(execute=True):  # the label task runs through the outbox, after commit
        fulfilment.finish_packing(shipment=shipment, user=user)
    shipment.refresh_from_db()
    return shipment


def subjects() -> list[str]:
    return [m.subject for m in mail.outbox]


def test_packed_to_delivered_with_colissimo(
    colissimo_fake, eager_celery, media, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    shop, user = make_shop(), staff()
    shipment = packed(shop, user, capture, (shop.tee, 2))

    parcel = shipment.parcels.get()
    assert (shipment.status, parcel.label_status, parcel.label_attempts) == ("labelled", LabelStatus.READY, 1)
    assert parcel.tracking_number and parcel.tracking_url.endswith(parcel.tracking_number)
    (sent,) = colissimo_fake.requests
    letter = sent.json["letter"]
    assert letter["addressee"]["address"]["lastName"] == "Colonna"
    assert letter["parcel"]["weight"] == pytest.approx(parcel.weight_grams / 1000)
    assert parcel.label_pdf.read().startswith(b"%PDF")

    mail.outbox.clear()
    with capture(execute=True):
        services.hand_over(shipment=shipment, user=user)
    order = shipment.order
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    (shipped,) = mail.outbox
    assert parcel.tracking_number in shipped.body

    colissimo_fake.add_event(parcel.tracking_number, "ET1", "En cours d'acheminement", place="Marseille")
    colissimo_fake.add_event(parcel.tracking_number, "DI1", "Votre colis est livré", place="Ajaccio")
    with capture(execute=True):
        result = services.poll_tracking(limit=10)
    assert (result.polled, result.recorded, result.failed) == (1, 2, 0)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.DELIVERED
    assert len(mail.outbox) == 2  # shipped, delivered
    with capture(execute=True):
        services.poll_tracking(limit=10)  # delivered parcels are not asked again
    assert len(mail.outbox) == 2
    assert len(colissimo_fake.requests) == 2  # the label, one tracking poll


def test_a_signed_suivi_push_moves_the_shipment(
    colissimo_fake, eager_celery, media, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    shop, user = make_shop(), staff()
    shipment = packed(shop, user, capture, (shop.mug, 1))
    number = shipment.parcels.get().tracking_number
    events = [
        {
            "code": "MD2",
            "label": "Votre colis est en cours de livraison",
            "date": "2026-11-25T08:10:00+01:00",
        },
        {"code": "PC1", "label": "Pris en charge", "date": "2026-11-24T17:00:00+01:00"},
    ]
    body = json.dumps(suivi_document(number, events)).encode()
    headers = {"HTTP_X_CARRIER_SIGNATURE": carrier_signature(body, WEBHOOK_SECRETS["colissimo"])}
    url = f"/api/v1/shipments/{shipment.pk}/events/"
    with capture(execute=True):
        response = APIClient().post(url, data=body, content_type="application/json", **headers)
    assert (response.status_code, response.json()) == (200, {"recorded": 2, "ignored": 0})
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.OUT_FOR_DELIVERY  # first scan: handed over, then on its way
    assert shipment.order.status == OrderStatus.SHIPPED
    assert list(TrackingEvent.objects.values_list("code", "status")) == [
        ("PC1", EVENT_STATUS["PC1"]),
        ("MD2", EVENT_STATUS["MD2"]),
    ]
    with capture(execute=True):
        again = APIClient().post(url, data=body, content_type="application/json", **headers)
    assert again.json() == {"recorded": 0, "ignored": 0}
    forged = APIClient().post(
        url, data=body, content_type="application/json", HTTP_X_CARRIER_SIGNATURE="sha256=0"
    )
    assert forged.status_code == 403
    assert TrackingEvent.objects.count() == 2


def test_colissimo_down_leaves_the_parcel_failed_then_a_retry_labels_it(
    colissimo_fake, eager_celery, media, django_capture_on_commit_callbacks
):
    from celery.exceptions import Retry

    capture = django_capture_on_commit_callbacks
    shop, user = make_shop(), staff()
    colissimo_fake.mode = "500"
    with pytest.raises(Retry):  # eager Celery: the worker would try again later
        packed(shop, user, capture, (shop.tee, 1))
    shipment = Shipment.objects.get()
    parcel = shipment.parcels.get()
    assert (shipment.status, parcel.label_status, parcel.label_attempts) == ("packed", "failed", 1)
    assert parcel.label_error
    assert shipment.order.status == OrderStatus.PAID
    colissimo_fake.mode = "ok"
    with capture(execute=True):
        services.retry_label(parcel_id=parcel.pk, user=user)
    parcel.refresh_from_db()
    assert (parcel.label_status, parcel.label_error, parcel.label_attempts) == ("ready", "", 2)
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.LABELLED
