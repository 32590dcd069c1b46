"""Shoppers racing for the last unit through the checkout API, with real threads on PostgreSQL."""

import pytest

from inventory.models import Reservation
from inventory.selectors import check_ledger
from orders.models import Order
from payments.models import Payment
from tests.core.api_helpers import api_client, stock
from tests.factories import UserFactory
from tests.inventory.test_api_concurrency import in_threads
from tests.logistics.shop import ADDRESS, make_cart, make_shop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = "/api/v1/checkout/"


def body(cart, **overrides):
    return {
        "cart": str(cart.token),
        "email": "ana@example.com",
        "delivery_method": "click_collect",
        "location": "BAS",
        "provider": "test",
        "return_url": "/en/checkout/done/{number}/",
        **overrides,
    }


def test_two_shoppers_one_unit_exactly_one_reaches_payment():
    # given Bastia's last mug and two shoppers who both have it in their cart
    shop = make_shop()
    users = [UserFactory(), UserFactory()]
    carts = [make_cart((shop.mug, 1), user=user) for user in users]

    # when both check out at the same moment
    def checkout(i):
        response = api_client(users[i]).post(
            START, body(carts[i]), format="json", HTTP_IDEMPOTENCY_KEY=f"k{i}"
        )
        return response.status_code, response.json()

    results = in_threads(2, checkout)

    # then one order reaches payment; the other gets a clean 409 and no order, no charge
    assert sorted(status for status, _ in results) == [201, 409]
    refused = next(data for status, data in results if status == 409)
    assert refused["code"] == "insufficient_stock"
    assert refused["message"] == "Only 0 left of MUG at Bastia; your cart was not charged."
    won = next(data for status, data in results if status == 201)
    assert won["payment"]["provider"] == "test"
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
    assert Order.objects.get().number == won["number"]
    assert Reservation.objects.count() == 1
    assert stock(shop.mug, shop.bas) == (1, 1)
    assert check_ledger().ok


def test_the_same_start_sent_twice_at_once_gives_one_order():
    shop = make_shop()
    user = UserFactory()
    cart = make_cart((shop.tee, 1), user=user)

    def checkout(i):
        response = api_client(user).post(
            START,
            body(cart, delivery_method="home", location="", shipping_address=ADDRESS, carrier="dpd"),
            format="json",
            HTTP_IDEMPOTENCY_KEY="same",
        )
        return response.status_code, response.json()

    results = in_threads(2, checkout)

    assert [status for status, _ in results] == [201, 201]
    assert results[0][1]["number"] == results[1][1]["number"]
    assert Order.objects.count() == 1
    assert stock(shop.tee, shop.warehouse) == (5, 1)
