"""Hand-over and tracking: shipment, parcels and order move forward only, once each."""

from __future__ import annotations

import pytest

from logistics import services_shipping as services
from logistics.carriers import TrackingStatus
from logistics.errors_shipping import ShipmentNotReady
from logistics.fulfilment_models import Parcel, Shipment, ShipmentStatus, TrackingEvent, TrackingSource
from orders.models import Order, OrderStatus, OrderStatusChange
from tests.factories import staff

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

S = TrackingStatus


@pytest.fixture
def wh():
    return warehouse()


@pytest.fixture
def fake(monkeypatch):
    return use_fake_carrier(monkeypatch)


def trail(order: Order) -> list[str]:
    return list(OrderStatusChange.objects.filter(order=order).values_list("to_status", flat=True))


# --- hand-over ------------------------------------------------------------------------------------


def test_hand_over_ships_the_shipment_its_parcels_and_the_order(wh, fake, django_capture_on_commit_callbacks):
    order = paid_order(location=wh)
    shipment = labelled_shipment(order, parcels=2)
    user = staff()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.hand_over(shipment=shipment, user=user)
    shipment.refresh_from_db()
    assert result.status == shipment.status == ShipmentStatus.SHIPPED
    assert shipment.shipped_at is not None
    assert set(shipment.parcels.values_list("status", flat=True)) == {ShipmentStatus.SHIPPED}
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    change = OrderStatusChange.objects.filter(order=order).last()
    assert (change.from_status, change.to_status, change.user) == ("paid", "shipped", user)


def test_hand_over_twice_changes_nothing_the_second_time(wh, fake):
    order = paid_order(location=wh)
    shipment = labelled_shipment(order)
    services.hand_over(shipment=shipment, user=None)
    shipped_at = Shipment.objects.get(pk=shipment.pk).shipped_at
    services.hand_over(shipment=shipment, user=None)
    assert Shipment.objects.get(pk=shipment.pk).shipped_at == shipped_at
    assert trail(order) == ["pending_payment", "paid", "shipped"]


@pytest.mark.parametrize("status", [ShipmentStatus.PACKED, ShipmentStatus.PICKING, ShipmentStatus.CANCELLED])
def test_a_shipment_without_all_its_labels_is_not_handed_over(wh, status):
    order = paid_order(location=wh)
    shipment = packed_shipment(order, parcels=2, status=status)
    before = list(Parcel.objects.values_list("id", "status", "label_status"))
    with pytest.raises(ShipmentNotReady) as refused:
        services.hand_over(shipment=shipment, user=None)
    assert refused.value.detail == {"shipment": shipment.number, "status": status}
    assert Shipment.objects.get(pk=shipment.pk).status == status
    assert Shipment.objects.get(pk=shipment.pk).shipped_at is None
    assert list(Parcel.objects.values_list("id", "status", "label_status")) == before
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_the_order_ships_when_its_last_live_shipment_leaves(wh, fake):
    order = paid_order(location=wh, units=3)
    first = labelled_shipment(order)
    second = labelled_shipment(order)
    packed_shipment(order, status=ShipmentStatus.CANCELLED)  # cancelled: does not hold the order back
    services.hand_over(shipment=first, user=None)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    services.hand_over(shipment=second, user=None)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    assert trail(order).count("shipped") == 1


# --- tracking -------------------------------------------------------------------------------------


def test_events_move_the_parcel_forward_and_replays_change_nothing(wh, fake):
    order = paid_order(location=wh)
    shipment = labelled_shipment(order)
    services.hand_over(shipment=shipment, user=None)
    parcel = shipment.parcels.get()
    n = parcel.tracking_number
    events = [update(n, "e1", S.IN_TRANSIT, minutes=10), update(n, "e2", S.OUT_FOR_DELIVERY, minutes=20)]
    result = services.record_tracking(parcel=parcel, updates=events, source=TrackingSource.WEBHOOK)
    assert (result.recorded, result.status) == (2, ShipmentStatus.OUT_FOR_DELIVERY)
    again = services.record_tracking(parcel=parcel, updates=events, source=TrackingSource.POLL)
    assert (again.recorded, again.status) == (0, ShipmentStatus.OUT_FOR_DELIVERY)
    assert list(TrackingEvent.objects.values_list("event_key", "status", "source")) == [
        ("e1", "in_transit", "webhook"),
        ("e2", "out_for_delivery", "webhook"),
    ]
    # A late "in transit" scan is kept as an event but never moves the parcel back.
    late = services.record_tracking(parcel=parcel, updates=[update(n, "e3", S.IN_TRANSIT, minutes=30)])
    assert (late.recorded, late.status) == (1, ShipmentStatus.OUT_FOR_DELIVERY)
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.OUT_FOR_DELIVERY
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_an_exception_then_the_delivery_completes_the_order_once(wh, fake):
    order = paid_order(location=wh)
    shipment = labelled_shipment(order)
    services.hand_over(shipment=shipment, user=None)
    parcel = shipment.parcels.get()
    n = parcel.tracking_number
    services.record_tracking(parcel=parcel, updates=[update(n, "x", S.EXCEPTION, minutes=5)])
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.EXCEPTION
    services.record_tracking(parcel=parcel, updates=[update(n, "d", S.DELIVERED, minutes=60)])
    services.record_tracking(parcel=parcel, updates=[update(n, "d", S.DELIVERED, minutes=60)])
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert shipment.delivered_at.isoformat() == "2026-11-20T10:00:00+00:00"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    assert trail(order) == ["pending_payment", "paid", "shipped", "completed"]


def test_the_order_completes_when_every_parcel_of_every_shipment_is_delivered(wh, fake):
    order = paid_order(location=wh, units=3)
    first = labelled_shipment(order, parcels=2)
    second = labelled_shipment(order)
    services.hand_over(shipment=first, user=None)
    services.hand_over(shipment=second, user=None)
    a, b = first.parcels.all()
    (c,) = second.parcels.all()
    services.record_tracking(parcel=a, updates=[update(a.tracking_number, "a", S.DELIVERED)])
    assert Shipment.objects.get(pk=first.pk).status == ShipmentStatus.SHIPPED  # b is not there yet
    services.record_tracking(parcel=b, updates=[update(b.tracking_number, "b", S.IN_TRANSIT)])
    assert Shipment.objects.get(pk=first.pk).status == ShipmentStatus.IN_TRANSIT
    services.record_tracking(parcel=b, updates=[update(b.tracking_number, "b2", S.DELIVERED)])
    assert Shipment.objects.get(pk=first.pk).status == ShipmentStatus.DELIVERED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED  # c is still travelling
    services.record_tracking(parcel=c, updates=[update(c.tracking_number, "c", S.DELIVERED)])
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    assert trail(order).count("completed") == 1


def test_a_first_scan_of_a_labelled_shipment_counts_as_the_hand_over(wh, fake):
    order = paid_order(location=wh)
    shipment = labelled_shipment(order)
    parcel = shipment.parcels.get()
    services.record_tracking(
        parcel=parcel, updates=[update(parcel.tracking_number, "s", S.IN_TRANSIT, minutes=7)]
    )
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.IN_TRANSIT
    assert shipment.shipped_at.isoformat() == "2026-11-20T09:07:00+00:00"
    assert Parcel.objects.get(pk=parcel.pk).status == ShipmentStatus.IN_TRANSIT
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_scans_of_a_shipment_still_waiting_for_labels_are_kept_but_move_nothing(wh, fake):
    order = paid_order(location=wh)
    shipment = labelled_shipment(order, parcels=2)
    Shipment.objects.filter(pk=shipment.pk).update(status=ShipmentStatus.PACKED)  # one label failed
    parcel = shipment.parcels.first()
    result = services.record_tracking(
        parcel=parcel, updates=[update(parcel.tracking_number, "s", S.IN_TRANSIT)]
    )
    assert (result.recorded, result.status) == (1, ShipmentStatus.PACKED)
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.PACKED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


# --- polling --------------------------------------------------------------------------------------


def test_polling_records_every_parcel_even_when_the_carrier_fails_for_one(wh, monkeypatch):
    fake = use_fake_carrier(monkeypatch, FakeCarrier())
    shipments = [labelled_shipment(paid_order(location=wh)) for _ in range(3)]
    for shipment in shipments:
        services.hand_over(shipment=shipment, user=None)
    ok1, broken, ok2 = (s.parcels.get() for s in shipments)
    fake.events[ok1.tracking_number] = [update(ok1.tracking_number, "1", S.IN_TRANSIT)]
    fake.events[ok2.tracking_number] = [
        update(ok2.tracking_number, "2", S.IN_TRANSIT),
        update(ok2.tracking_number, "3", S.DELIVERED, minutes=90),
    ]
    fake.fail_numbers.add(broken.tracking_number)
    result = services.poll_tracking(limit=10)
    assert (result.polled, result.recorded, result.failed) == (3, 3, 1)
    statuses = dict(Parcel.objects.values_list("id", "status"))
    assert statuses == {ok1.pk: "in_transit", broken.pk: "shipped", ok2.pk: "delivered"}
    assert Order.objects.get(pk=shipments[2].order_id).status == OrderStatus.COMPLETED
    assert Parcel.objects.filter(tracked_at__isnull=True).count() == 0
    # Next run: the delivered parcel is not asked again; the limit takes the least recently asked first.
    fake.tracked.clear()
    services.poll_tracking(limit=1)
    assert fake.tracked == [ok1.tracking_number]
    services.poll_tracking(limit=1)
    assert fake.tracked == [ok1.tracking_number, broken.tracking_number]


def test_the_store_courier_is_never_polled(wh, fake):
    shipment = labelled_shipment(paid_order(location=wh), carrier="courier")
    services.hand_over(shipment=shipment, user=None)
    assert services.poll_tracking(limit=10).polled == 0


def test_the_beat_schedule_polls_every_30_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["poll-parcel-tracking"]
    assert (entry["task"], entry["schedule"]) == ("logistics.tasks_shipping.poll_tracking", 1800.0)
