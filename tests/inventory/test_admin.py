"""The stock admin: numbers are read-only; staff change stock only through service-backed forms and
actions, which write the ledger and show refusals as admin error messages."""

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.urls import reverse

from inventory import services
from inventory.models import (
    MovementReason,
    Reservation,
    ReservationStatus,
    StockAlert,
    StockLevel,
    StockMovement,
)
from inventory.selectors import check_ledger
from tests.factories import ProductFactory, UserFactory, VariantFactory, cashier, staff, store_manager

pytestmark = pytest.mark.django_db

RECEIVE = "admin:inventory_stocklevel_receive"
COUNT = "admin:inventory_stocklevel_count"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def manager_client(client, store):
    client.force_login(store_manager(store))
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def level(variant, location):
    return (
        StockLevel.objects.filter(variant=variant, location=location)
        .values_list("on_hand", "reserved")
        .first()
    )


def test_receive_form_calls_the_service(manager_client, store, variant):
    page = manager_client.get(reverse(RECEIVE), {"variant": variant.sku, "location": store.pk})
    assert page.status_code == 200 and "Receive stock" in page.content.decode()
    response = manager_client.post(
        reverse(RECEIVE),
        {"variant": variant.ean13, "location": store.pk, "quantity": 6, "reference": "BL-12"},
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Received 6 × TSHIRT-M-RED at AJA: on hand is now 6."]
    row = StockMovement.objects.get()
    assert (row.reason, row.quantity, row.reference, row.user.store) == (
        MovementReason.RECEIPT,
        6,
        "BL-12",
        store,
    )


def test_receive_lot_tracked_without_batch_shows_the_error(manager_client, store):
    honey = VariantFactory(sku="HONEY", product=ProductFactory(tracks_lots=True))
    response = manager_client.post(
        reverse(RECEIVE), {"variant": "HONEY", "location": store.pk, "quantity": 2}
    )
    assert response.status_code == 200
    assert messages_of(response) == [
        "This product is tracked by lot: give a batch number and an expiry date."
    ]
    assert level(honey, store) is None
    response = manager_client.post(
        reverse(RECEIVE),
        {"variant": "HONEY", "location": store.pk, "quantity": 2, "batch": "L1", "expiry_date": "2030-01-31"},
    )
    assert response.status_code == 302 and level(honey, store) == (2, 0)


def test_count_form_refuses_below_reserved_with_an_error_message(manager_client, store, variant):
    services.receive_stock(variant=variant, location=store, quantity=5)
    services.reserve_stock(variant=variant, location=store, quantity=3)
    response = manager_client.post(
        reverse(COUNT), {"variant": variant.sku, "location": store.pk, "counted": 2}
    )
    assert response.status_code == 200
    assert messages_of(response) == ["2 counted leaves less than the 3 units reserved at AJA."]
    assert level(variant, store) == (5, 3)
    response = manager_client.post(
        reverse(COUNT), {"variant": variant.sku, "location": store.pk, "counted": 4}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Count recorded for TSHIRT-M-RED at AJA (-1): on hand is now 4."]
    assert check_ledger().ok


def test_forms_validate_input_and_scope(manager_client, store, other_store, variant):
    response = manager_client.post(reverse(RECEIVE), {"variant": "NOPE", "location": store.pk, "quantity": 0})
    body = response.content.decode()
    assert "No variant has the SKU or EAN-13" in body and "greater than or equal to 1" in body
    # a store manager cannot pick another store
    response = manager_client.post(
        reverse(RECEIVE), {"variant": variant.sku, "location": other_store.pk, "quantity": 1}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert StockMovement.objects.count() == 0


def test_cashier_cannot_receive_or_count(client, store):
    client.force_login(cashier(store, is_staff=True))
    assert client.get(reverse(RECEIVE)).status_code == 403
    assert client.get(reverse(COUNT)).status_code == 403


def test_stock_levels_are_read_only(manager_client, store, variant, django_assert_max_num_queries):
    services.receive_stock(variant=variant, location=store, quantity=5)
    pk = StockLevel.objects.get().pk
    for n in range(20):
        services.receive_stock(variant=VariantFactory(), location=store, quantity=n + 1)
    with django_assert_max_num_queries(15):
        page = manager_client.get(
            reverse("admin:inventory_stocklevel_changelist"), {"q": "", "state": "reserved"}
        )
    assert page.status_code == 200
    body = manager_client.get(reverse("admin:inventory_stocklevel_changelist")).content.decode()
    assert "Receive stock" in body and "Record a count" in body
    manager_client.post(reverse("admin:inventory_stocklevel_change", args=[pk]), {"on_hand": 999})
    assert level(variant, store) == (5, 0)
    assert manager_client.get(reverse("admin:inventory_stocklevel_add")).status_code == 403
    assert manager_client.get(reverse("admin:inventory_stockmovement_add")).status_code == 403
    movement = StockMovement.objects.first()
    assert (
        manager_client.post(reverse("admin:inventory_stockmovement_delete", args=[movement.pk])).status_code
        == 403
    )


def test_threshold_action_goes_through_the_service(manager_client, store, other_store, variant):
    services.receive_stock(variant=variant, location=store, quantity=5)
    services.receive_stock(variant=variant, location=other_store, quantity=5)
    ids = [str(pk) for pk in StockLevel.objects.values_list("pk", flat=True)]
    url = reverse("admin:inventory_stocklevel_changelist")
    page = manager_client.post(url, {"action": "set_threshold", helpers.ACTION_CHECKBOX_NAME: ids})
    assert page.status_code == 200 and "Set low-stock threshold" in page.content.decode()
    manager_client.post(
        url, {"action": "set_threshold", helpers.ACTION_CHECKBOX_NAME: ids, "apply": "1", "threshold": 2}
    )
    # only the manager's own store changed
    assert dict(StockLevel.objects.values_list("location__code", "low_stock_threshold")) == {
        "AJA": 2,
        "BAS": None,
    }


def test_release_reservations_action(manager_client, store, other_store, variant):
    services.receive_stock(variant=variant, location=store, quantity=5)
    services.receive_stock(variant=variant, location=other_store, quantity=5)
    mine = services.reserve_stock(variant=variant, location=store, quantity=2)
    theirs = services.reserve_stock(variant=variant, location=other_store, quantity=2)
    done = services.reserve_stock(variant=variant, location=store, quantity=1)
    services.commit_reservation(reservation=done)
    response = manager_client.post(
        reverse("admin:inventory_reservation_changelist"),
        {
            "action": "release_selected",
            helpers.ACTION_CHECKBOX_NAME: [str(r.pk) for r in (mine, theirs, done)],
        },
    )
    # the other store's reservation is not in a store manager's list (accounts.admin_scope): the action
    # never sees it; the committed one is no longer active
    assert messages_of(response) == ["1 reservation(s) released."]
    statuses = dict(Reservation.objects.values_list("pk", "status"))
    assert statuses[mine.pk] == ReservationStatus.RELEASED and statuses[theirs.pk] == ReservationStatus.ACTIVE
    assert level(variant, store) == (4, 0)


def test_acknowledge_alerts_action_and_lists(client, store, variant):
    office = staff()
    client.force_login(office)
    services.receive_stock(variant=variant, location=store, quantity=3)
    services.set_low_stock_threshold(variant=variant, location=store, threshold=2)
    services.sell_stock(variant=variant, location=store, quantity=1)
    alert = StockAlert.objects.get()
    client.post(
        reverse("admin:inventory_stockalert_changelist"),
        {"action": "acknowledge", helpers.ACTION_CHECKBOX_NAME: [str(alert.pk)]},
    )
    alert.refresh_from_db()
    assert alert.acknowledged_by == office
    for name in ("stockalert", "stockmovement", "stocklot", "reservation", "location", "stocklevel"):
        assert client.get(reverse(f"admin:inventory_{name}_changelist")).status_code == 200, name
    body = client.get(
        reverse("admin:inventory_stockmovement_changelist"), {"q": variant.sku}
    ).content.decode()
    assert "TSHIRT-M-RED" in body


def test_location_opening_hours_form(client, store):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:inventory_location_change", args=[store.pk])
    data = {
        "code": "AJA", "name": "Ajaccio", "kind": "store", "sells_online": "on", "is_active": "on",
        "country": "FR", "hours_mon": "10:00-19:00", "hours_sun": "closed", "hours_tue": "9h-12h",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200 and "HH:MM-HH:MM" in response.content.decode()
    data["hours_tue"] = "09:00-12:00, 14:00-19:00"
    assert client.post(url, data).status_code == 302
    store.refresh_from_db()
    assert store.opening_hours == {"mon": "10:00-19:00", "tue": "09:00-12:00, 14:00-19:00", "sun": "closed"}
