"""Shipments API v1: who sees an order's shipments, staff actions, label PDFs, the carrier webhook."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from core.models import OutboxMessage
from logistics.fulfilment_models import LabelStatus, Parcel, Shipment, ShipmentStatus, TrackingEvent
from orders.models import Order, OrderStatus, OrderStatusChange
from tests.accounts.portal_support import shopper
from tests.core.api_helpers import api_client
from tests.factories import LocationFactory, cashier, staff, store_manager

from .ship_support import (
    FakeCarrier,
    labelled_shipment,
    packed_shipment,
    paid_order,
    store_labels,
    tmp_media,
    update,
    use_fake_carrier,
    warehouse,
)

pytestmark = pytest.mark.django_db
media = pytest.fixture(tmp_media)


@pytest.fixture
def fake(monkeypatch):
    return use_fake_carrier(monkeypatch, FakeCarrier())


@pytest.fixture
def world(fake):
    wh = warehouse()
    aja = LocationFactory(code="AJA", name="Ajaccio")
    ana = shopper(email="ana@example.com")
    order = paid_order(location=wh, customer=ana, units=2)
    from_wh = labelled_shipment(order, parcels=2)
    from_aja = labelled_shipment(order, location=aja)
    return {"wh": wh, "aja": aja, "ana": ana, "order": order, "from_wh": from_wh, "from_aja": from_aja}


def url(order: Order) -> str:
    return f"/api/v1/orders/{order.number}/shipments/"


def snapshot() -> list:
    return [
        list(Shipment.objects.order_by("id").values_list("id", "status", "shipped_at")),
        list(Parcel.objects.order_by("id").values_list("id", "status", "label_status", "label_error")),
        list(Order.objects.values_list("id", "status")),
        OrderStatusChange.objects.count(),
        TrackingEvent.objects.count(),
        OutboxMessage.objects.count(),
    ]


# --- GET shipments --------------------------------------------------------------------------------


def test_the_shopper_sees_every_shipment_with_parcels_and_events(world, django_assert_max_num_queries):
    order, from_wh = world["order"], world["from_wh"]
    first = from_wh.parcels.first()
    first.tracking_url = "https://fake.example/track/" + first.tracking_number
    first.label_error = "an old error"
    first.save()
    from logistics import services_shipping

    services_shipping.hand_over(shipment=from_wh, user=None)
    services_shipping.record_tracking(
        parcel=first, updates=[update(first.tracking_number, "e1", "in_transit")]
    )
    client = api_client(world["ana"])
    with django_assert_max_num_queries(8):
        response = client.get(url(order))
    assert response.status_code == 200
    body = response.json()
    assert [s["number"] for s in body] == [from_wh.number, world["from_aja"].number]
    assert body[0]["status"] == "shipped"  # its second parcel was not scanned yet
    assert body[0]["location"] == {"code": "WEB", "name": "Entrepôt"}
    assert body[0]["label_url"] == ""  # the shopper gets no label link, nor the label error
    parcel = body[0]["parcels"][0]
    assert parcel["tracking_number"] == first.tracking_number
    assert parcel["tracking_url"] == f"https://fake.example/track/{first.tracking_number}"
    assert parcel["label_error"] == ""
    assert parcel["status"] == "in_transit"
    assert parcel["events"] == [
        {
            "status": "in_transit",
            "code": "IN_TRANSIT",
            "description": "",
            "place": "Ajaccio",
            "occurred_at": "2026-11-20T10:00:00+01:00",
            "source": "poll",
        }
    ]


def test_staff_see_every_shipment_and_the_store_manager_only_theirs(world):
    order = world["order"]
    body = api_client(staff()).get(url(order)).json()
    assert [s["number"] for s in body] == [world["from_wh"].number, world["from_aja"].number]
    assert body[1]["label_url"] == f"/api/v1/shipments/{world['from_aja'].pk}/label/"
    body = api_client(store_manager(world["aja"])).get(url(order)).json()
    assert [s["number"] for s in body] == [world["from_aja"].number]


@pytest.mark.parametrize("who", ["other_shopper", "cashier", "other_manager", "unknown_number"])
def test_anyone_else_gets_the_same_404_as_an_unknown_order(world, who):
    bas = LocationFactory(code="BAS", name="Bastia")
    user = {
        "other_shopper": lambda: shopper(email="bo@example.com"),
        "cashier": lambda: cashier(world["aja"]),
        "other_manager": lambda: store_manager(bas),
        "unknown_number": staff,
    }[who]()
    path = "/api/v1/orders/W2026-999999/shipments/" if who == "unknown_number" else url(world["order"])
    response = api_client(user).get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_is_401(world):
    assert APIClient().get(url(world["order"])).status_code == 401


# --- POST actions ---------------------------------------------------------------------------------


def test_staff_hand_a_shipment_over(world):
    order, from_wh, from_aja = world["order"], world["from_wh"], world["from_aja"]
    client = api_client(staff())
    response = client.post(url(order), {"action": "hand_over", "shipment": from_wh.number}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "shipped"
    assert [p["status"] for p in response.json()["parcels"]] == ["shipped", "shipped"]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID  # Ajaccio's part is still here
    manager = api_client(store_manager(world["aja"]))
    response = manager.post(url(order), {"action": "hand_over", "shipment": from_aja.number}, format="json")
    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_retry_labels_queues_the_failed_ones(world):
    order, from_wh = world["order"], world["from_wh"]
    failed = from_wh.parcels.last()
    Parcel.objects.filter(pk=failed.pk).update(
        label_status=LabelStatus.FAILED, label_error="carrier down", label_attempts=3, tracking_number=""
    )
    Shipment.objects.filter(pk=from_wh.pk).update(status=ShipmentStatus.PACKED)
    response = api_client(staff()).post(
        url(order), {"action": "retry_labels", "shipment": from_wh.number}, format="json"
    )
    assert response.status_code == 200
    assert [p["label_status"] for p in response.json()["parcels"]] == ["ready", "pending"]
    failed.refresh_from_db()
    assert (failed.label_status, failed.label_error, failed.label_attempts) == ("pending", "", 3)
    message = OutboxMessage.objects.get(task_name__startswith="logistics.")
    assert (message.task_name, message.kwargs) == (
        "logistics.tasks_shipping.create_parcel_label",
        {"parcel_id": failed.pk},
    )


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("staff", {"action": "hand_over", "shipment": "EXP-NOPE"}, 404, "shipment_not_found"),
        ("staff", {"action": "ship_it", "shipment": "X"}, 400, "invalid"),
        ("staff", {"action": "hand_over"}, 400, "invalid"),
        ("staff", {"action": "retry_labels", "shipment": "from_wh"}, 409, "label_already_ready"),
        ("staff", {"action": "hand_over", "shipment": "packed"}, 409, "shipment_not_ready"),
        ("aja_manager", {"action": "hand_over", "shipment": "from_wh"}, 403, "permission_denied"),
        ("owner", {"action": "hand_over", "shipment": "from_wh"}, 403, "permission_denied"),
        ("stranger", {"action": "hand_over", "shipment": "from_wh"}, 404, "not_found"),
        ("cashier", {"action": "hand_over", "shipment": "from_aja"}, 404, "not_found"),
    ],
)
def test_refused_actions_write_nothing(world, who, body, status, code):
    packed = packed_shipment(world["order"])
    names = {
        "from_wh": world["from_wh"].number,
        "from_aja": world["from_aja"].number,
        "packed": packed.number,
    }
    body = {k: names.get(v, v) for k, v in body.items()}
    user = {
        "staff": staff,
        "aja_manager": lambda: store_manager(world["aja"]),
        "owner": lambda: world["ana"],
        "stranger": lambda: shopper(email="bo@example.com"),
        "cashier": lambda: cashier(world["aja"]),
    }[who]()
    before = snapshot()
    response = api_client(user).post(url(world["order"]), body, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert snapshot() == before


# --- label PDF ------------------------------------------------------------------------------------


def test_the_label_pdf_merges_every_parcel(world, media):
    store_labels(world["from_wh"])
    response = api_client(staff()).get(f"/api/v1/shipments/{world['from_wh'].pk}/label/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{world["from_wh"].number}.pdf"'
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2


def test_the_label_is_409_while_one_is_failed_or_pending(world, media):
    shipment = world["from_wh"]
    first, second = shipment.parcels.all()
    Parcel.objects.filter(pk=second.pk).update(
        label_status=LabelStatus.FAILED, label_error="refused: postcode"
    )
    response = api_client(staff()).get(f"/api/v1/shipments/{shipment.pk}/label/")
    assert response.status_code == 409
    assert response.json()["code"] == "labels_not_ready"
    assert response.json()["detail"] == {
        "shipment": shipment.number,
        "pending": [],
        "failed": [{"parcel": second.pk, "error": "refused: postcode"}],
    }


@pytest.mark.parametrize("who", ["owner", "other_manager", "unknown"])
def test_the_label_is_404_for_those_who_may_not_print_it(world, media, who):
    store_labels(world["from_wh"])
    user = world["ana"] if who == "owner" else staff() if who == "unknown" else store_manager(world["aja"])
    shipment_id = 999999 if who == "unknown" else world["from_wh"].pk
    response = api_client(user).get(f"/api/v1/shipments/{shipment_id}/label/")
    assert (response.status_code, response.json()["code"]) == (404, "shipment_not_found")


# --- webhook --------------------------------------------------------------------------------------


def post_events(shipment_id: int, rows: list, signature: str = "s3cret"):
    return APIClient().post(
        f"/api/v1/shipments/{shipment_id}/events/",
        data=json.dumps({"events": rows}),
        content_type="application/json",
        HTTP_X_FAKE_SIGNATURE=signature,
    )


def test_the_carrier_webhook_records_events_once(world):
    shipment = world["from_wh"]
    first, second = shipment.parcels.all()
    rows = [
        [first.tracking_number, "w1", "in_transit", 5],
        [second.tracking_number, "w2", "in_transit", 6],
        ["NOT-OURS", "w3", "delivered", 7],
    ]
    response = post_events(shipment.pk, rows)
    assert (response.status_code, response.json()) == (200, {"recorded": 2, "ignored": 1})
    assert (
        Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.IN_TRANSIT
    )  # a first scan: handed over
    before = snapshot()
    replay = post_events(shipment.pk, rows)
    assert (replay.status_code, replay.json()) == (200, {"recorded": 0, "ignored": 1})
    assert snapshot() == before


@pytest.mark.parametrize(
    ("signature", "body"),
    [("wrong", None), ("", None), ("s3cret", "not json"), ("s3cret", '{"events": [["x", "k", "lost", 1]]}')],
)
def test_a_bad_signature_or_body_is_403_and_writes_nothing(world, signature, body):
    shipment = world["from_wh"]
    number = shipment.parcels.first().tracking_number
    before = snapshot()
    if body is None:
        response = post_events(shipment.pk, [[number, "w1", "delivered", 5]], signature=signature)
    else:
        response = APIClient().post(
            f"/api/v1/shipments/{shipment.pk}/events/",
            data=body,
            content_type="application/json",
            HTTP_X_FAKE_SIGNATURE=signature,
        )
    assert (response.status_code, response.json()["code"]) == (403, "invalid_signature")
    assert snapshot() == before


def test_the_store_courier_takes_no_webhook_and_unknown_shipments_are_404(world):
    courier = labelled_shipment(world["order"], carrier="courier")
    before = snapshot()
    assert post_events(courier.pk, []).status_code == 403
    assert post_events(999999, []).status_code == 404
    assert post_events(2**40, []).status_code == 404
    assert snapshot() == before
