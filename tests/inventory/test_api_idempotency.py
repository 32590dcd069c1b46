"""Idempotency-Key on the stock API: a replay returns the first answer and changes nothing."""

import pytest

from core.models import IdempotencyRecord
from inventory import services
from inventory.models import Reservation, StockMovement
from tests.core.api_helpers import api_client, ledger_count, stock
from tests.factories import cashier, staff

pytestmark = pytest.mark.django_db

MOVEMENTS = "/api/v1/stock/movements/"
RESERVATIONS = "/api/v1/stock/reservations/"
TRANSFERS = "/api/v1/stock/transfers/"
COUNTS = "/api/v1/stock/counts/"
SALE = {"sku": "TSHIRT-M-RED", "location": "AJA", "quantity": 3, "reason": "sale", "reference": "S-1"}


@pytest.fixture
def user(db):
    return staff()


@pytest.fixture
def client(user):
    return api_client(user)


@pytest.fixture
def stocked(store, variant):
    services.receive_stock(variant=variant, location=store, quantity=10, reference="PO-0")
    return variant


def test_replay_returns_the_first_response_and_changes_nothing(client, store, stocked):
    # given a sale sent once with a key
    first = client.post(MOVEMENTS, SALE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201

    # when the client retries with the same key and body
    second = client.post(MOVEMENTS, SALE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    # then the same answer, byte for byte, and one sale in the ledger
    assert second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert StockMovement.objects.filter(reason="sale").count() == 1
    assert stock(stocked, store) == (7, 0)


def test_replay_ignores_key_order_and_spacing_of_the_body(client, store, stocked):
    client.post(MOVEMENTS, SALE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    reordered = '{"reference":"S-1",  "reason":"sale","quantity":3,"location":"AJA","sku":"TSHIRT-M-RED"}'

    second = client.post(MOVEMENTS, reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert second.status_code == 201
    assert stock(stocked, store) == (7, 0)


def test_same_key_different_body_is_422_and_changes_nothing(client, store, stocked):
    client.post(MOVEMENTS, SALE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    response = client.post(MOVEMENTS, {**SALE, "quantity": 4}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["detail"] == {"key": "k-1"}
    assert stock(stocked, store) == (7, 0)
    assert ledger_count() == 2


def test_same_key_on_another_endpoint_is_422(client, store, other_store, stocked):
    client.post(MOVEMENTS, SALE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    transfer = {"sku": "TSHIRT-M-RED", "from_location": "AJA", "to_location": "BAS", "quantity": 1}

    response = client.post(TRANSFERS, transfer, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 422
    assert stock(stocked, other_store) == (0, 0)


def test_keys_are_per_user(client, store, stocked):
    client.post(MOVEMENTS, SALE, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    other = api_client(staff())

    response = other.post(MOVEMENTS, {**SALE, "quantity": 1}, format="json", HTTP_IDEMPOTENCY_KEY="shared")

    assert response.status_code == 201
    assert stock(stocked, store) == (6, 0)


def test_a_refusal_is_stored_and_replayed_even_when_stock_arrives_later(client, store, stocked):
    # given a sale refused for lack of stock
    big = {**SALE, "quantity": 12}
    first = client.post(MOVEMENTS, big, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert first.status_code == 409
    services.receive_stock(variant=stocked, location=store, quantity=10)

    # when replayed after stock arrived
    second = client.post(MOVEMENTS, big, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    # then the same 409, and still no sale
    assert second.status_code == 409
    assert second.content == first.content
    assert StockMovement.objects.filter(reason="sale").count() == 0
    assert stock(stocked, store) == (20, 0)


def test_a_validation_error_is_stored_and_replayed(client, stocked):
    first = client.post(MOVEMENTS, {**SALE, "quantity": 0}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    second = client.post(MOVEMENTS, {**SALE, "quantity": 0}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    assert (first.status_code, second.status_code) == (400, 400)
    assert second.content == first.content
    assert IdempotencyRecord.objects.get(key="k-3").status_code == 400


def test_a_permission_refusal_is_replayed_and_changes_nothing(store, other_store, stocked):
    client = api_client(cashier(store))
    services.receive_stock(variant=stocked, location=other_store, quantity=5)
    body = {**SALE, "location": "BAS"}

    first = client.post(MOVEMENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    second = client.post(MOVEMENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-4")

    assert (first.status_code, second.status_code) == (403, 403)
    assert second.content == first.content
    assert stock(stocked, other_store) == (5, 0)


def test_bad_json_with_a_key_is_400_and_stores_nothing(client, stocked):
    response = client.post(MOVEMENTS, "{oops", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-5")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "clé-accentuée"])
def test_invalid_key_is_400(client, store, stocked, key):
    response = client.post(MOVEMENTS, SALE, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert stock(stocked, store) == (10, 0)


def test_without_a_key_each_post_executes(client, store, stocked):
    client.post(MOVEMENTS, SALE, format="json")
    client.post(MOVEMENTS, SALE, format="json")

    assert stock(stocked, store) == (4, 0)
    assert IdempotencyRecord.objects.count() == 0


def test_reservation_create_replay_returns_the_same_reservation(client, store, stocked):
    body = {"sku": "TSHIRT-M-RED", "location": "AJA", "quantity": 2, "ttl_seconds": 60, "reference": "CART-1"}

    first = client.post(RESERVATIONS, body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    second = client.post(RESERVATIONS, body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert Reservation.objects.count() == 1
    assert stock(stocked, store) == (10, 2)


def test_commit_replay_is_200_not_409(client, store, stocked):
    reservation = services.reserve_stock(variant=stocked, location=store, quantity=2, reference="C-1")
    url = f"{RESERVATIONS}{reservation.pk}/commit/"

    first = client.post(url, HTTP_IDEMPOTENCY_KEY="c-1")
    second = client.post(url, HTTP_IDEMPOTENCY_KEY="c-1")

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content
    assert stock(stocked, store) == (8, 0)


def test_same_key_on_another_reservation_is_422(client, store, stocked):
    one = services.reserve_stock(variant=stocked, location=store, quantity=1, reference="C-1")
    two = services.reserve_stock(variant=stocked, location=store, quantity=1, reference="C-2")
    client.post(f"{RESERVATIONS}{one.pk}/release/", HTTP_IDEMPOTENCY_KEY="rel")

    response = client.post(f"{RESERVATIONS}{two.pk}/release/", HTTP_IDEMPOTENCY_KEY="rel")

    assert response.status_code == 422
    two.refresh_from_db()
    assert two.status == "active"


def test_count_and_transfer_replays_change_nothing(client, store, other_store, stocked):
    count = {"sku": "TSHIRT-M-RED", "location": "AJA", "counted": 8, "reference": "INV-1"}
    transfer = {"sku": "TSHIRT-M-RED", "from_location": "AJA", "to_location": "BAS", "quantity": 3}

    for _ in range(2):
        assert client.post(COUNTS, count, format="json", HTTP_IDEMPOTENCY_KEY="cnt").status_code == 201
        assert client.post(TRANSFERS, transfer, format="json", HTTP_IDEMPOTENCY_KEY="tr").status_code == 201

    assert stock(stocked, store) == (5, 0)
    assert stock(stocked, other_store) == (3, 0)
    assert ledger_count() == 4  # receipt, count, transfer out, transfer in
