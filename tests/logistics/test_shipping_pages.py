"""The shopper's order page shows parcels and tracking; the staff dispatch page hands shipments over."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import OutboxMessage
from logistics import services_shipping as services
from logistics.fulfilment_models import LabelStatus, Parcel, Shipment, ShipmentStatus
from logistics.selectors_shipping import shipments_of
from orders.models import Order, OrderStatus
from tests.accounts.portal_support import shopper
from tests.factories import LocationFactory, cashier, staff, store_manager

from .ship_support import (
    FakeCarrier,
    labelled_shipment,
    packed_shipment,
    paid_order,
    update,
    use_fake_carrier,
    warehouse,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """The back office speaks French unless the browser asks otherwise: these tests read English."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def fake(monkeypatch):
    return use_fake_carrier(monkeypatch, FakeCarrier())


@pytest.fixture
def ana(db):
    return shopper(email="ana@example.com")


def tracked_order(ana, *, parcels: int, events: int):
    order = paid_order(location=warehouse(), customer=ana)
    shipment = labelled_shipment(order, parcels=parcels)
    Parcel.objects.filter(shipment=shipment).update(tracking_url="https://fake.example/t")
    services.hand_over(shipment=shipment, user=None)
    for parcel in shipment.parcels.all():
        n = parcel.tracking_number
        steps = ["in_transit", "out_for_delivery", "exception", "delivered"][:events]
        updates = [update(n, f"{n}-{i}", s, minutes=i, place="Bastia") for i, s in enumerate(steps)]
        services.record_tracking(parcel=parcel, updates=updates)
    return order, shipment


def test_the_order_page_shows_parcels_tracking_links_and_events(client, ana, fake):
    order, shipment = tracked_order(ana, parcels=2, events=2)
    client.force_login(ana)
    html = client.get(f"/en/account/orders/{order.number}/").content.decode()
    assert "Parcels and tracking" in html
    assert "Parcel 1 of 2" in html and "Parcel 2 of 2" in html
    for parcel in shipment.parcels.all():
        link = '<a href="https://fake.example/t" rel="noopener noreferrer" target="_blank">{}</a>'
        assert link.format(parcel.tracking_number) in html
    assert html.count("Out for delivery") == 2 + 2  # each parcel's badge and its event
    assert "· Bastia" in html


def test_the_parcels_block_costs_three_queries_whatever_the_parcels_and_events(client, ana, fake):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, _ = tracked_order(ana, parcels=1, events=1)
    big, _ = tracked_order(ana, parcels=3, events=3)  # not delivered: the returns block stays shut
    client.force_login(ana)
    counts = []
    for order in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/en/account/orders/{order.number}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_shipments_of_runs_three_queries(ana, fake, django_assert_num_queries):
    order, _ = tracked_order(ana, parcels=3, events=3)
    with django_assert_num_queries(3):
        shipments = shipments_of(order.pk)
        assert [len(p.events.all()) for s in shipments for p in s.parcels.all()] == [3, 3, 3]


# --- dispatch -------------------------------------------------------------------------------------


@pytest.fixture
def dispatch_world(fake):
    wh = warehouse()
    aja = LocationFactory(code="AJA", name="Ajaccio")
    ready = labelled_shipment(paid_order(location=wh))
    waiting = packed_shipment(paid_order(location=wh), carrier="fake", parcels=2)
    Parcel.objects.filter(pk=waiting.parcels.first().pk).update(
        label_status=LabelStatus.FAILED, label_error="Colissimo: code postal incorrect", label_attempts=2
    )
    elsewhere = labelled_shipment(paid_order(location=aja), location=aja)
    return {"wh": wh, "aja": aja, "ready": ready, "waiting": waiting, "elsewhere": elsewhere}


def test_staff_see_every_location_and_the_store_manager_theirs(
    client, dispatch_world, django_assert_max_num_queries
):
    client.force_login(staff())
    with django_assert_max_num_queries(10):
        response = client.get("/backoffice/dispatch/")
    assert response.status_code == 200
    assert [s.number for s in response.context["ready"]] == [
        dispatch_world["ready"].number,
        dispatch_world["elsewhere"].number,
    ]
    assert [s.number for s in response.context["waiting"]] == [dispatch_world["waiting"].number]
    html = response.content.decode()
    assert "Colissimo: code postal incorrect" in html and "(2 attempts)" in html
    assert f"/api/v1/shipments/{dispatch_world['ready'].pk}/label/" in html
    client.force_login(store_manager(dispatch_world["aja"]))
    response = client.get("/backoffice/dispatch/")
    assert [s.number for s in response.context["ready"]] == [dispatch_world["elsewhere"].number]
    assert response.context["waiting"] == []


def test_a_cashier_or_a_shopper_is_refused(client, dispatch_world):
    client.force_login(cashier(dispatch_world["aja"]))
    assert client.get("/backoffice/dispatch/").status_code == 403
    client.force_login(shopper(email="bo@example.com"))
    assert client.get("/backoffice/dispatch/").status_code == 403
    client.logout()
    assert client.get("/backoffice/dispatch/").status_code == 302  # to the back office's sign-in


def test_handed_over_from_the_dispatch_page(client, dispatch_world):
    client.force_login(staff())
    ready = dispatch_world["ready"]
    response = client.post(f"/backoffice/dispatch/{ready.pk}/hand-over/", follow=True)
    assert response.redirect_chain == [("/backoffice/dispatch/", 302)]
    assert f"Shipment {ready.number} handed to the carrier." in response.content.decode()
    assert Shipment.objects.get(pk=ready.pk).status == ShipmentStatus.SHIPPED
    assert Order.objects.get(pk=ready.order_id).status == OrderStatus.SHIPPED


def test_retry_from_the_dispatch_page_and_refusals_change_nothing(client, dispatch_world):
    waiting, elsewhere = dispatch_world["waiting"], dispatch_world["elsewhere"]
    client.force_login(store_manager(dispatch_world["aja"]))
    assert (
        client.post(f"/backoffice/dispatch/{waiting.pk}/retry-labels/").status_code == 404
    )  # not their store
    assert client.get(f"/backoffice/dispatch/{elsewhere.pk}/hand-over/").status_code == 405
    response = client.post(f"/backoffice/dispatch/{waiting.pk}/hand-over/")
    assert response.status_code == 404
    client.force_login(staff())
    response = client.post(f"/backoffice/dispatch/{waiting.pk}/hand-over/", follow=True)
    assert "every parcel needs its label" in response.content.decode()
    assert Shipment.objects.get(pk=waiting.pk).status == ShipmentStatus.PACKED
    assert not OutboxMessage.objects.filter(task_name__startswith="logistics.").exists()
    response = client.post(f"/backoffice/dispatch/{waiting.pk}/retry-labels/", follow=True)
    assert f"Labels asked again for 2 parcel(s) of {waiting.number}." in response.content.decode()
    assert OutboxMessage.objects.filter(task_name="logistics.tasks_shipping.create_parcel_label").count() == 2
    assert set(waiting.parcels.values_list("label_status", flat=True)) == {"pending"}


def test_the_dispatch_page_speaks_french(client, dispatch_world):
    client.force_login(staff())
    html = client.get("/backoffice/dispatch/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for text in ("Expédition", "2 expéditions prêtes à remettre", "Remis au transporteur", "(2 tentatives)"):
        assert text in html, text
