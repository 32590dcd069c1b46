"""Store API v1 /api/v1/checkout/: options, start (idempotent), test-provider confirm, errors."""

import pytest

from inventory.models import Reservation, StockLevel
from logistics.models import ShippingZone
from orders.models import Cart, CartStatus, Order, OrderStatus
from payments.models import Payment
from pricing.models import CouponRedemption
from tests.core.api_helpers import api_client
from tests.factories import UserFactory
from tests.logistics.shop import ADDRESS, make_cart, make_coupon, make_shop

pytestmark = pytest.mark.django_db

OPTIONS = "/api/v1/checkout/options/"
START = "/api/v1/checkout/"


@pytest.fixture
def shop():
    return make_shop()


def body(cart, **overrides):
    return {
        "cart": str(cart.token),
        "email": "ana@example.com",
        "phone": "0612345678",
        "delivery_method": "home",
        "shipping_address": ADDRESS,
        "carrier": "colissimo",
        "provider": "test",
        "return_url": "/en/checkout/done/{number}/",
        **overrides,
    }


def nothing_written():
    return (Order.objects.count(), Reservation.objects.count(), Payment.objects.count()) == (0, 0, 0)


# --- options --------------------------------------------------------------------------------------


def test_options(shop, django_assert_max_num_queries):
    cart = make_cart((shop.tee, 2), (shop.mug, 1))
    with django_assert_max_num_queries(12):
        response = api_client().post(OPTIONS, {"cart": str(cart.token), "country": "fr"}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["country"], data["subtotal_gross"], data["total_gross"]) == ("FR", "31.00", "31.00")
    home = data["home_delivery"]
    assert (home["ships_from"], home["routing"]) == (["WEB"], "Warehouse has every line")
    assert (home["available"], home["warehouse"], home["weight_grams"], home["missing"]) == (
        True,
        "WEB",
        800,
        [],
    )
    assert [(o["carrier"], o["price"]) for o in home["options"]] == [
        ("laposte", "5.50"),
        ("colissimo", "7.90"),
        ("dpd", "8.90"),
    ]
    assert home["options"][1] == {
        "carrier": "colissimo",
        "name": "Colissimo",
        "price": "7.90",
        "regular_price": "7.90",
        "free_above": "60.00",
        "delivery_days": "2-3",
    }
    assert data["click_collect"] == [
        {
            "code": "AJA",
            "name": "Ajaccio",
            "address": "2 cours Napoléon, 20000 Ajaccio",
            "ok": False,
            "missing": [{"sku": "MUG", "name": "Mug", "requested": 1, "available": 0}],
        },
        {"code": "BAS", "name": "Bastia", "address": "20200 Bastia", "ok": True, "missing": []},
    ]


def test_options_for_an_unserved_country(shop):
    ShippingZone.objects.filter(name__startswith="United Kingdom").delete()
    cart = make_cart((shop.tee, 1))
    data = api_client().post(OPTIONS, {"cart": str(cart.token), "country": "US"}, format="json").json()
    assert data["home_delivery"]["available"] is False
    assert data["home_delivery"]["error"] == "We do not deliver to US."


def test_options_bad_input(shop):
    client = api_client()
    response = client.post(OPTIONS, {"cart": "not-a-token"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "cart" in response.json()["detail"]
    response = client.post(OPTIONS, {"cart": str(make_cart().token), "country": "FRA"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    response = client.post(OPTIONS, {"cart": "7d8a4a3e-5d3b-4b8c-9a7e-000000000000"}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_options_of_another_users_cart_is_a_404(shop):
    cart = make_cart((shop.tee, 1), user=UserFactory())
    response = api_client(UserFactory()).post(OPTIONS, {"cart": str(cart.token)}, format="json")
    assert response.status_code == 404


# --- start ----------------------------------------------------------------------------------------


def test_start_home_delivery(shop):
    cart = make_cart((shop.tee, 2), (shop.mug, 1))
    response = api_client().post(START, body(cart), format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert response.status_code == 201
    data = response.json()
    order = Order.objects.get()
    payment = Payment.objects.get()
    assert data["number"] == order.number
    assert data["status"] == "pending_payment"
    assert (data["delivery_method"], data["location"], data["carrier"]) == ("home", "WEB", "colissimo")
    assert data["totals"] == {
        "discount_gross": "0.00",
        "shipping_gross": "7.90",
        "total_net": "32.41",
        "total_vat": "6.49",
        "total_gross": "38.90",
        "total_gross_eur": "38.90",
        "currency": "EUR",
    }
    assert data["payment"] == {
        "provider": "test",
        "payment_id": str(payment.pk),
        "status": "pending",
        "redirect_url": f"/en/pay/test/{payment.pk}/",
        "client_secret": "",
    }
    assert payment.return_url == f"/en/checkout/done/{order.number}/"
    cart.refresh_from_db()
    assert cart.status == CartStatus.CHECKED_OUT


def test_start_twice_with_the_same_key_creates_one_order(shop):
    cart = make_cart((shop.tee, 1))
    client = api_client()
    first = client.post(START, body(cart), format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    second = client.post(START, body(cart), format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert (Order.objects.count(), Payment.objects.count(), Reservation.objects.count()) == (1, 1, 1)
    assert StockLevel.objects.get(variant=shop.tee, location=shop.warehouse).reserved == 1


def test_signed_in_start_with_coupon(shop):
    user = UserFactory(email="ana@example.com")
    make_coupon("TEN")
    cart = make_cart((shop.tee, 2), (shop.mug, 1), user=user, coupon_code="TEN")
    response = api_client(user).post(
        START, body(cart, delivery_method="click_collect", location="BAS"), format="json"
    )
    assert response.status_code == 201
    totals = response.json()["totals"]
    assert (totals["discount_gross"], totals["shipping_gross"], totals["total_gross"]) == (
        "3.10",
        "0.00",
        "27.90",
    )
    assert Order.objects.get().customer == user
    assert CouponRedemption.objects.get().reference == response.json()["number"]


def test_insufficient_stock_is_a_409_and_nothing_is_written(shop):
    cart = make_cart((shop.mug, 1))
    response = api_client().post(
        START, body(cart, delivery_method="click_collect", location="AJA"), format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "insufficient_stock",
        "message": "Only 0 left of MUG at Ajaccio; your cart was not charged.",
        "detail": {
            "sku": "MUG",
            "location": "AJA",
            "requested": 1,
            "available": 0,
            "location_name": "Ajaccio",
        },
    }
    assert nothing_written()
    assert Cart.objects.get(pk=cart.pk).status == CartStatus.OPEN


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"email": "ana@"}, 400, "invalid"),
        ({"email": ""}, 400, "invalid"),
        ({"delivery_method": "drone"}, 400, "invalid"),
        ({"shipping_address": {"first_name": "Ana"}}, 400, "invalid_address"),
        ({"shipping_address": None}, 400, "invalid"),
        ({"carrier": "fedex"}, 404, "unknown_carrier"),
        ({"provider": "paypal"}, 400, "provider_not_available"),
        ({"delivery_method": "click_collect", "location": "XXX"}, 404, "unknown_location"),
        ({"delivery_method": "click_collect", "location": "PRO"}, 404, "unknown_location"),
        ({"phone": "call me maybe"}, 400, "invalid"),
        ({"return_url": "javascript:alert(1)"}, 400, "invalid_return_url"),
        ({"return_url": "//evil.example/"}, 400, "invalid_return_url"),
    ],
)
def test_start_bad_input(shop, overrides, status, code):
    cart = make_cart((shop.tee, 1))
    response = api_client().post(START, body(cart, **overrides), format="json")
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert response.json()["message"]
    assert nothing_written()
    assert Cart.objects.get(pk=cart.pk).status == CartStatus.OPEN


def test_start_unserved_country(shop):
    ShippingZone.objects.filter(name__startswith="United Kingdom").delete()
    cart = make_cart((shop.tee, 1))
    response = api_client().post(
        START, body(cart, shipping_address={**ADDRESS, "country": "US"}), format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "country_not_served")
    assert response.json()["message"] == "We do not deliver to US."
    assert nothing_written()


def test_start_with_no_lines(shop):
    response = api_client().post(START, body(make_cart()), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "empty_cart"
    assert nothing_written()


def test_missing_address_fields_are_listed(shop):
    response = api_client().post(
        START,
        body(make_cart((shop.tee, 1)), shipping_address={"first_name": "Ana", "country": "FR"}),
        format="json",
    )
    assert response.json()["detail"]["missing"] == ["last_name", "line1", "postal_code", "city"]


def test_start_needs_json(shop):
    response = api_client().post(START, {"cart": "x"})
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


# --- confirm (test provider) ----------------------------------------------------------------------


def test_confirm_pays_the_order(shop):
    client = api_client()
    number = client.post(START, body(make_cart((shop.tee, 2))), format="json").json()["number"]
    response = client.post(f"/api/v1/checkout/{number}/confirm/", {"succeed": True}, format="json")
    assert response.status_code == 200
    assert response.json() == {"number": number, "status": "paid", "payment_status": "captured"}
    assert StockLevel.objects.get(variant=shop.tee, location=shop.warehouse).on_hand == 3


def test_declined_payment_keeps_the_stock_held_for_another_attempt(shop):
    client = api_client()
    number = client.post(START, body(make_cart((shop.tee, 2))), format="json").json()["number"]
    response = client.post(f"/api/v1/checkout/{number}/confirm/", {"succeed": False}, format="json")
    assert response.json() == {"number": number, "status": "pending_payment", "payment_status": "failed"}
    level = StockLevel.objects.get(variant=shop.tee, location=shop.warehouse)
    assert (level.on_hand, level.reserved) == (5, 2)
    assert not Order.objects.filter(status=OrderStatus.PAID).exists()
    again = client.post(f"/api/v1/checkout/{number}/confirm/", {"succeed": True}, format="json")
    assert again.status_code == 409


def test_confirm_refusals(shop, settings):
    user = UserFactory()
    cart = make_cart((shop.tee, 1), user=user)
    number = api_client(user).post(START, body(cart), format="json").json()["number"]
    assert api_client().post(f"/api/v1/checkout/{number}/confirm/", {}, format="json").status_code == 404
    assert (
        api_client(UserFactory()).post(f"/api/v1/checkout/{number}/confirm/", {}, format="json").status_code
        == 404
    )
    assert api_client().post("/api/v1/checkout/W1-1/confirm/", {}, format="json").status_code == 404
    settings.PAYMENTS_TEST_PROVIDER = False
    response = api_client(user).post(f"/api/v1/checkout/{number}/confirm/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "provider_not_available")
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT


def test_checkout_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/v1/checkout/", "/api/v1/checkout/options/", "/api/v1/checkout/{number}/confirm/"} <= set(
        schema["paths"]
    )
    assert any(
        p["name"] == "Idempotency-Key" for p in schema["paths"]["/api/v1/checkout/"]["post"]["parameters"]
    )


def test_a_key_reused_for_another_cart_is_a_422(shop):
    user = UserFactory()
    client = api_client(user)
    first = make_cart((shop.tee, 1), user=user)
    assert client.post(START, body(first), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    second = make_cart((shop.mug, 1), user=user)
    response = client.post(START, body(second), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    assert Order.objects.count() == 1
    assert Cart.objects.get(pk=second.pk).status == CartStatus.OPEN


def test_the_same_key_with_a_different_body_is_a_422_and_changes_nothing(shop):
    cart = make_cart((shop.tee, 1))
    client = api_client()
    first = client.post(START, body(cart), format="json", HTTP_IDEMPOTENCY_KEY="key-2")
    assert first.status_code == 201

    response = client.post(
        START,
        body(cart, delivery_method="click_collect", location="BAS"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="key-2",
    )

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    assert {"delivery_method", "location"} <= set(response.json()["detail"]["differs"])
    order = Order.objects.get()
    assert (order.number, order.delivery_method) == (first.json()["number"], "home")
    assert (Payment.objects.count(), Reservation.objects.count()) == (1, 1)
