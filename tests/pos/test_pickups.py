"""Click & collect at the counter: this store's orders ready for pickup, the shopper verified, the
hand-over commits the reservation and completes the order."""

import pytest

from inventory import services as inventory
from inventory.models import Reservation, ReservationStatus, StockMovement
from orders import services as orders
from orders.models import DeliveryMethod, Order, OrderStatus, OrderStatusChange
from orders.services import LineInput, pickup
from pos.services import pickups
from tests.core.api_helpers import api_client
from tests.factories import UserFactory, cashier, staff
from tests.pos.returns_support import *  # noqa: F403
from tests.pos.returns_support import level

pytestmark = pytest.mark.django_db

LIST = "/api/v1/pos/pickups/"


def handover_url(order):
    return f"/api/v1/pos/pickups/{order.number}/handover/"


def ready(pos, *, tees=2, location=None, email="lucia@example.com", phone="06 12 34 56 78", status="ready"):
    location = location or pos.aja
    customer = UserFactory(email=email, first_name="Lucia", last_name="Costa", phone="")
    order = orders.place_web_order(
        lines=[LineInput(pos.tee, tees)],
        location=location,
        delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
        email=email,
        customer=customer,
        phone=phone,
    )
    order = orders.transition_order(order=order, to_status=OrderStatus.PAID)
    if status == "ready":
        order = pickup.mark_ready_for_pickup(order=order, user=staff())
    return order


def state(order):
    return (
        Order.objects.get(pk=order.pk).status,
        OrderStatusChange.objects.filter(order=order).count(),
        sorted(Reservation.objects.filter(reference=order.number).values_list("status", flat=True)),
        StockMovement.objects.count(),
    )


# --- services -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verification", "value"),
    [
        ("email", "  LUCIA@example.com "),
        ("phone", "+33 6 12 34 56 78"),
        ("phone", "06.12.34.56.78"),
        ("number", None),
    ],
)
def test_the_shopper_is_verified_and_the_order_handed_over(pos, verification, value):
    order = ready(pos)
    assert level(pos.tee, pos.aja) == (10, 2)

    result = pickups.hand_over_pickup(
        number=order.number.lower(),
        store=pos.aja,
        user=pos.anna,
        verification=verification,
        value=value if value is not None else order.number,
    )

    assert result.status == OrderStatus.COMPLETED
    assert level(pos.tee, pos.aja) == (8, 0)
    assert list(Reservation.objects.filter(reference=order.number).values_list("status", flat=True)) == [
        ReservationStatus.COMMITTED
    ]
    change = OrderStatusChange.objects.filter(order=order).last()
    assert (change.from_status, change.to_status, change.user, change.note) == (
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.COMPLETED,
        pos.anna,
        "collected",
    )


@pytest.mark.parametrize(
    ("verification", "value"),
    [
        ("email", "someone@example.com"),
        ("phone", "06 99 99 99 99"),
        ("phone", "78"),
        ("number", "W2020-000001"),
    ],
)
def test_a_wrong_answer_hands_nothing_over(pos, verification, value):
    order = ready(pos)
    before = state(order)

    with pytest.raises(pickups.VerificationFailed) as caught:
        pickups.hand_over_pickup(
            number=order.number, store=pos.aja, user=pos.anna, verification=verification, value=value
        )

    assert caught.value.detail == {"number": order.number, "verification": verification}
    assert state(order) == before


def test_another_stores_order_is_not_found_there(pos):
    order = ready(pos)
    before = state(order)

    with pytest.raises(pickups.PickupNotFound):
        pickups.hand_over_pickup(
            number=order.number, store=pos.bas, user=pos.bruno, verification="number", value=order.number
        )
    assert state(order) == before


def test_an_order_not_yet_ready_cannot_be_handed_over(pos):
    order = ready(pos, status="paid")
    before = state(order)

    with pytest.raises(pickup.NotReadyForPickup):
        pickups.hand_over_pickup(
            number=order.number, store=pos.aja, user=pos.anna, verification="number", value=order.number
        )
    assert state(order) == before


# --- API ------------------------------------------------------------------------------------------


def test_api_lists_only_this_stores_ready_orders(pos, django_assert_max_num_queries):
    first = ready(pos, tees=1)
    second = ready(pos, tees=2, email="marc@example.com")
    ready(pos, status="paid", email="paid@example.com")  # not ready yet
    inventory.receive_stock(variant=pos.tee, location=pos.bas, quantity=1)
    bastia = ready(pos, tees=1, location=pos.bas, email="bastia@example.com")  # another store
    client = api_client(pos.anna)

    with django_assert_max_num_queries(6):
        response = client.get(LIST)

    assert response.status_code == 200
    rows = response.json()
    assert [row["number"] for row in rows] == [first.number, second.number]
    assert rows[0] == {
        "number": first.number,
        "customer": "Lucia Costa",
        "email": "lucia@example.com",
        "phone": "06 12 34 56 78",
        "total": "12.50",
        "currency": "EUR",
        "created_at": rows[0]["created_at"],
        "lines": [{"sku": "TEE", "name": "Tee", "quantity": 1}],
    }
    assert [row["number"] for row in api_client(pos.bruno).get(LIST).json()] == [bastia.number]


def test_api_query_count_does_not_grow_with_the_orders(pos, django_assert_max_num_queries):
    for i in range(5):
        ready(pos, tees=1, email=f"c{i}@example.com")
    client = api_client(pos.anna)
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    assert len(response.json()) == 5


def test_api_handover(pos):
    order = ready(pos)

    response = api_client(pos.anna).post(
        handover_url(order), {"verification": "email", "value": "lucia@example.com"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"number": order.number, "status": "completed"}
    assert level(pos.tee, pos.aja) == (8, 0)


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"verification": "email", "value": "nope@example.com"}, 400, "verification_failed"),
        ({"verification": "passport", "value": "X"}, 400, "invalid"),
        ({"verification": "email"}, 400, "invalid"),
        ({}, 400, "invalid"),
    ],
)
def test_api_bad_verification_changes_nothing(pos, payload, status, code):
    order = ready(pos)
    before = state(order)

    response = api_client(pos.anna).post(handover_url(order), payload, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["message"]
    assert state(order) == before


def test_api_other_store_unknown_and_not_ready(pos):
    order = ready(pos)
    waiting = ready(pos, status="paid", email="w@example.com")
    payload = {"verification": "number", "value": order.number}

    other = api_client(pos.bruno).post(handover_url(order), payload, format="json")
    unknown = api_client(pos.anna).post("/api/v1/pos/pickups/W1999-000001/handover/", payload, format="json")
    early = api_client(pos.anna).post(
        handover_url(waiting), {"verification": "number", "value": waiting.number}, format="json"
    )

    assert (other.status_code, other.json()["code"]) == (404, "pickup_not_found")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "pickup_not_found")
    assert (early.status_code, early.json()["code"]) == (409, "not_ready_for_pickup")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.READY_FOR_PICKUP


@pytest.mark.parametrize("who", ["anonymous", "shopper", "no_store"])
def test_api_permissions(pos, who):
    order = ready(pos)
    user = {"anonymous": lambda: None, "shopper": UserFactory, "no_store": lambda: cashier(None)}[who]()
    client = api_client(user)

    listing = client.get(LIST)
    handover = client.post(
        handover_url(order), {"verification": "number", "value": order.number}, format="json"
    )

    expected = {"anonymous": 401, "shopper": 403, "no_store": 404}[who]  # no store: nothing is here
    assert (listing.status_code, handover.status_code) == (expected, expected)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.READY_FOR_PICKUP


def test_api_handover_replay_is_idempotent(pos):
    order = ready(pos)
    client = api_client(pos.anna)
    payload = {"verification": "number", "value": order.number}

    first = client.post(handover_url(order), payload, format="json", HTTP_IDEMPOTENCY_KEY="h-1")
    again = client.post(handover_url(order), payload, format="json", HTTP_IDEMPOTENCY_KEY="h-1")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert StockMovement.objects.filter(reason="reservation_committed").count() == 1
