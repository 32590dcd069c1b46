"""Packing: scan every picked unit, parcels (several per shipment), finish → PACKED and labels asked."""

import pytest

from core.models import OutboxMessage
from logistics import services_fulfilment as fulfilment
from logistics.errors_fulfilment import (
    AlreadyComplete,
    InvalidParcel,
    UnitsNotVerified,
    WrongBarcode,
    WrongStatus,
)
from logistics.fulfilment_models import (
    LabelStatus,
    Parcel,
    ParcelItem,
    ParcelType,
    Shipment,
    ShipmentStatus,
    WaveStatus,
)
from tests.factories import staff
from tests.logistics.fulfil_support import paid_order, receive
from tests.logistics.shop import make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop()


@pytest.fixture
def user():
    return staff()


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the staff screens default to French


def picked_shipment(shop, capture, user, *lines):
    order = paid_order(capture, *lines)
    shipment = Shipment.objects.get(order=order)
    wave = fulfilment.build_wave(location=shop.warehouse, shipment_ids=[shipment.pk], user=user)
    for pick in wave.lines.all():
        for _ in range(pick.quantity):
            fulfilment.scan_pick(wave=wave, barcode=pick.barcode, user=user)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.PICKED
    return shipment


def state(shipment):
    return [
        (sl.order_line.sku, sl.quantity_picked, sl.quantity_scanned, sl.quantity_packed)
        for sl in shipment.lines.all()
    ]


def test_scan_pack_and_finish_asks_for_every_label(shop, user, django_capture_on_commit_callbacks):
    shipment = picked_shipment(shop, django_capture_on_commit_callbacks, user, (shop.tee, 2), (shop.mug, 1))

    for code in (shop.tee.ean13, shop.tee.ean13):
        fulfilment.scan_pack(shipment=shipment, barcode=code, user=user)
    first = fulfilment.pack_parcel(shipment=shipment, parcel_type=ParcelType.SMALL, user=user)
    assert first.weight_grams == 2 * 200 + 150  # two tees and the small box's tare
    fulfilment.scan_pack(shipment=shipment, barcode="MUG", user=user)  # the SKU works too
    second = fulfilment.pack_parcel(
        shipment=shipment, parcel_type=ParcelType.MEDIUM, weight_grams=777, user=user
    )
    assert state(shipment) == [("TEE", 2, 2, 2), ("MUG", 1, 1, 1)]
    items = ParcelItem.objects.filter(parcel=second)
    assert [(i.shipment_line.order_line.sku, i.quantity) for i in items] == [("MUG", 1)]

    messages_before = OutboxMessage.objects.filter(task_name=fulfilment.LABEL_TASK).count()
    fulfilment.finish_packing(shipment=shipment, user=user)

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.PACKED
    assert [(p.weight_grams, p.label_status) for p in shipment.parcels.all()] == [
        (550, LabelStatus.PENDING),
        (777, LabelStatus.PENDING),
    ]
    queued = OutboxMessage.objects.filter(task_name=fulfilment.LABEL_TASK).order_by("created_at")
    assert queued.count() - messages_before == 2
    assert sorted(m.kwargs["parcel_id"] for m in queued) == [first.pk, second.pk]
    assert fulfilment.units_beyond_recall(shipment.order_id) == {
        sl.order_line_id: sl.quantity_packed for sl in shipment.lines.all()
    }


def test_a_wrong_or_extra_scan_is_refused_and_nothing_written(shop, user, django_capture_on_commit_callbacks):
    shipment = picked_shipment(shop, django_capture_on_commit_callbacks, user, (shop.tee, 1))
    with pytest.raises(WrongBarcode, match="is not in shipment"):
        fulfilment.scan_pack(shipment=shipment, barcode=shop.mug.ean13, user=user)
    fulfilment.scan_pack(shipment=shipment, barcode=shop.tee.ean13, user=user)
    with pytest.raises(AlreadyComplete):
        fulfilment.scan_pack(shipment=shipment, barcode=shop.tee.ean13, user=user)
    assert state(shipment) == [("TEE", 1, 1, 0)]


def test_finishing_refuses_units_not_scanned_or_not_packed(shop, user, django_capture_on_commit_callbacks):
    shipment = picked_shipment(shop, django_capture_on_commit_callbacks, user, (shop.tee, 2))
    with pytest.raises(UnitsNotVerified):
        fulfilment.finish_packing(shipment=shipment, user=user)
    fulfilment.scan_pack(shipment=shipment, barcode=shop.tee.ean13, user=user)
    fulfilment.pack_parcel(shipment=shipment, user=user)
    with pytest.raises(UnitsNotVerified) as refused:
        fulfilment.finish_packing(shipment=shipment, user=user)
    assert refused.value.detail["lines"] == [{"sku": "TEE", "picked": 2, "scanned": 1, "packed": 1}]
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.PICKED
    assert not OutboxMessage.objects.filter(task_name=fulfilment.LABEL_TASK).exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"parcel_type": "crate"},
        {"weight_grams": 0},
        {"weight_grams": 70_001},
        {"items": [(999_999, 1)]},
        {"items": []},
    ],
)
def test_bad_parcels_are_refused(shop, user, django_capture_on_commit_callbacks, kwargs):
    shipment = picked_shipment(shop, django_capture_on_commit_callbacks, user, (shop.tee, 1))
    fulfilment.scan_pack(shipment=shipment, barcode=shop.tee.ean13, user=user)
    with pytest.raises(InvalidParcel):
        fulfilment.pack_parcel(shipment=shipment, user=user, **kwargs)
    assert not Parcel.objects.exists()
    assert state(shipment) == [("TEE", 1, 1, 0)]


def test_more_units_than_scanned_cannot_go_in_a_parcel(shop, user, django_capture_on_commit_callbacks):
    shipment = picked_shipment(shop, django_capture_on_commit_callbacks, user, (shop.tee, 2))
    fulfilment.scan_pack(shipment=shipment, barcode=shop.tee.ean13, user=user)
    line = shipment.lines.get()
    with pytest.raises(InvalidParcel, match="Only 1 unit"):
        fulfilment.pack_parcel(shipment=shipment, items=[(line.pk, 2)], user=user)


def test_only_a_picked_shipment_is_packed(shop, user, django_capture_on_commit_callbacks):
    order = paid_order(django_capture_on_commit_callbacks, (shop.tee, 1))
    shipment = Shipment.objects.get(order=order)
    with pytest.raises(WrongStatus):
        fulfilment.scan_pack(shipment=shipment, barcode=shop.tee.ean13, user=user)


# --- the screens ------------------------------------------------------------------------------------


def test_the_packing_screen_from_scan_to_label(client, shop, user, django_capture_on_commit_callbacks):
    shipment = picked_shipment(shop, django_capture_on_commit_callbacks, user, (shop.tee, 2))
    client.force_login(user)
    listing = client.get("/backoffice/packing/").content.decode()
    assert shipment.number in listing
    url = f"/backoffice/packing/{shipment.number}/"
    page = client.get(url).content.decode()
    assert 'id="ff-scan"' in page and "style=" not in page and "disabled" in page  # label not printable yet

    wrong = client.post(f"{url}scan/", {"barcode": shop.mug.ean13}, follow=True).content.decode()
    assert f"is not in shipment {shipment.number}" in wrong
    client.post(f"{url}scan/", {"barcode": shop.tee.ean13})
    client.post(f"{url}scan/", {"barcode": shop.tee.ean13})
    over = client.post(f"{url}scan/", {"barcode": shop.tee.ean13}, follow=True).content.decode()
    assert "already scanned" in over
    form = client.get(url).content.decode()
    assert 'placeholder="550"' in form  # 2 x 200 g + the small box

    early = client.post(f"{url}finish/", follow=True).content.decode()
    assert "Scan and pack every picked unit" in early
    bad = client.post(f"{url}parcel/", {"parcel_type": "small", "weight_grams": "abc"}, follow=True)
    assert "The weight must be" in bad.content.decode() and not Parcel.objects.exists()
    client.post(f"{url}parcel/", {"parcel_type": "medium", "weight_grams": ""})
    assert list(Parcel.objects.values_list("parcel_type", "weight_grams")) == [("medium", 700)]

    with django_capture_on_commit_callbacks() as callbacks:
        finished = client.post(f"{url}finish/")
    assert finished.status_code == 302 and finished["Location"] == "/backoffice/packing/"
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.PACKED and len(callbacks) == 1  # the label's outbox message
    assert OutboxMessage.objects.filter(task_name=fulfilment.LABEL_TASK).count() == 1


def test_who_may_pack_where(client, shop, user, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory, cashier, store_manager

    shipment = picked_shipment(shop, django_capture_on_commit_callbacks, user, (shop.tee, 1))
    url = f"/backoffice/packing/{shipment.number}/"
    for who, status in (
        (user, 200),
        (store_manager(shop.aja), 403),  # the warehouse's shipment is not their store's
        (cashier(shop.aja), 403),
        (UserFactory(), 403),
    ):
        client.force_login(who)
        assert client.get(url).status_code == status, who
        assert client.post(f"{url}scan/", {"barcode": "TEE"}).status_code == (302 if status == 200 else 403)
    assert shipment.lines.get().quantity_scanned == 1
    client.force_login(cashier(shop.aja))
    assert shipment.number not in client.get("/backoffice/packing/").content.decode()


# --- shipments follow cancellations (orders.services.cancel_order, FulfilmentState) ------------------


def test_cancelled_lines_leave_the_shipments_and_packed_units_cannot_be_cancelled(
    shop, user, django_capture_on_commit_callbacks
):
    from orders import services
    from orders.errors import UnitsBeyondRecall
    from orders.services import LineQuantity

    receive(shop.mug, shop.aja, 3)  # split: TEE 3 at the warehouse, MUG 3 at Ajaccio
    order = paid_order(django_capture_on_commit_callbacks, (shop.tee, 3), (shop.mug, 3))
    tee_line, mug_line = order.lines.order_by("id")
    web, aja = Shipment.objects.filter(order=order).order_by("id")
    wave = fulfilment.build_wave(location=shop.warehouse, user=user)
    fulfilment.scan_pick(wave=wave, barcode="TEE", user=user)
    fulfilment.scan_pick(wave=wave, barcode="TEE", user=user)

    services.cancel_order(order=order, lines=[LineQuantity(tee_line.pk, 2)], user=user, reason="colour")

    line = web.lines.get()
    assert (line.quantity, line.quantity_picked) == (1, 1)  # one picked unit goes back to the shelf
    assert list(wave.lines.values_list("quantity", "quantity_picked")) == [(1, 1)]
    wave.refresh_from_db()
    assert wave.status == WaveStatus.DONE  # its last line is complete now: the shipment can be packed
    services.cancel_order(order=order, lines=[LineQuantity(mug_line.pk, 3)], user=user, reason="gone")
    aja.refresh_from_db()
    assert aja.status == ShipmentStatus.CANCELLED and not aja.lines.exists()

    # pack the last tee: it can no longer be cancelled, and the port says so
    fulfilment.scan_pack(shipment=web, barcode="TEE", user=user)
    fulfilment.pack_parcel(shipment=web, user=user)
    assert fulfilment.LogisticsFulfilmentState().units_beyond_recall(order.pk) == {tee_line.pk: 1}
    with pytest.raises(UnitsBeyondRecall):
        services.cancel_order(order=order, lines=None, user=user, reason="too late")
    assert web.lines.get().quantity == 1


def test_a_cancelled_order_cancels_its_shipments(shop, user, django_capture_on_commit_callbacks):
    from orders import services

    order = paid_order(django_capture_on_commit_callbacks, (shop.tee, 1))
    services.cancel_order(order=order, lines=None, user=user, reason="shopper asked")
    assert list(Shipment.objects.filter(order=order).values_list("status", flat=True)) == [
        ShipmentStatus.CANCELLED
    ]
