"""Reserve to try in store, through the Django test client: from the product page and the cart, the
store choice, the guest's details, the confirmation page, cancelling, and the portal's list."""

import pytest
from django.test import Client

from orders.models import CartStatus, Order, OrderStatus
from orders.services.ereservation import cancel_token
from storefront.cart_session import SESSION_KEY
from tests.factories import UserFactory
from tests.logistics.shop import make_cart, make_shop
from tests.pos.returns_support import level

pytestmark = pytest.mark.django_db

RESERVE = "/en/reserve/"


@pytest.fixture
def shop():
    return make_shop()


def guest(**changes):
    return {
        "name": "Lucia Costa",
        "email": "lucia@example.com",
        "phone": "06 12 34 56 78",
        "store": "AJA",
        **changes,
    }


def test_the_product_page_offers_to_reserve(client, shop):
    html = client.get(f"/en/p/{shop.tee.product.slug}/").content.decode()

    assert 'action="/en/reserve/"' in html
    assert "Reserve to try in store" in html


def test_the_form_lists_the_stores_that_can_hold_the_item(client, shop):
    html = client.get(RESERVE, {"sku": "TEE", "quantity": "2"}).content.decode()

    assert "Reserve at Ajaccio" in html and "Reserve at Bastia" in html
    assert "Not enough in stock here (TEE)" not in html.split("Reserve at Ajaccio")[1].split("</label>")[0]
    assert 'name="phone"' in html  # a guest gives their details


def test_a_guest_reserves_sees_the_confirmation_and_cancels(client, shop):
    response = client.post(RESERVE, {"sku": "TEE", "quantity": "2", "idempotency_key": "k1", **guest()})

    order = Order.objects.get(delivery_method="reserve_store")
    assert response.status_code == 302 and response["Location"] == f"/en/reservation/{order.number}/"
    assert level(shop.tee, shop.aja) == (2, 2)
    page = client.get(response["Location"]).content.decode()
    assert order.number in page and "Held until" in page
    again = client.post(RESERVE, {"sku": "TEE", "quantity": "2", "idempotency_key": "k1", **guest()})
    assert again["Location"] == response["Location"] and Order.objects.count() == 1  # a double submit

    cancelled = client.post(f"/en/reservation/{order.number}/cancel/")

    assert cancelled.status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert "Reservation cancelled" in client.get(cancelled["Location"]).content.decode()
    assert level(shop.tee, shop.aja) == (2, 0)


def test_another_browser_needs_the_token(client, shop):
    client.post(RESERVE, {"sku": "TEE", "quantity": "1", **guest()})
    order = Order.objects.get(delivery_method="reserve_store")
    token = cancel_token(order)

    stranger = Client()
    assert stranger.get(f"/en/reservation/{order.number}/").status_code == 404
    assert stranger.post(f"/en/reservation/{order.number}/cancel/").status_code == 404
    assert stranger.get(f"/en/reservation/{order.number}/", {"t": token}).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sku": "TEE", "quantity": "3"}, "Only 2 left of TEE at Ajaccio: nothing was reserved."),
        ({"sku": "TEE", "quantity": "0"}, "The quantity of TEE must be a whole number of at least 1."),
        ({"sku": "TEE", "quantity": "1", "phone": ""}, "Give a phone number so the store can reach you."),
        ({"sku": "NOPE", "quantity": "1"}, "Choose a product to reserve."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_reserved(client, shop, data, message):
    response = client.post(RESERVE, {**guest(), **data})

    assert response.status_code in (400, 409)
    assert message in response.content.decode()
    assert Order.objects.count() == 0
    assert level(shop.tee, shop.aja) == (2, 0)


def test_the_whole_cart_is_reserved_at_one_store(client, shop):
    cart = make_cart((shop.tee, 1), (shop.mug, 1))
    session = client.session
    session[SESSION_KEY] = str(cart.token)
    session.save()

    page = client.get(RESERVE, {"from": "cart"}).content.decode()
    response = client.post(RESERVE, {"from": "cart", **guest(store="BAS")})

    assert "The items of your cart" in page
    order = Order.objects.get(delivery_method="reserve_store")
    assert response.status_code == 302
    assert sorted(order.lines.values_list("sku", "quantity")) == [("MUG", 1), ("TEE", 1)]
    cart.refresh_from_db()
    assert (cart.status, cart.order) == (CartStatus.CHECKED_OUT, order)
    assert "Reserve these at a store to try" not in client.get("/en/cart/").content.decode()


def test_the_portal_lists_a_signed_in_shoppers_reservation(client, shop):
    user = UserFactory(email="paolo@example.com", first_name="Paolo", last_name="Santoni", phone="0611223344")
    client.force_login(user)

    response = client.post(RESERVE, {"sku": "TEE", "quantity": "1", "store": "AJA"})
    listed = client.get("/en/account/orders/").content.decode()

    order = Order.objects.get(customer=user)
    assert response.status_code == 302
    assert f"Reservation {order.number}" in listed and "To try at Ajaccio" in listed
    assert f"/en/reservation/{order.number}/" in listed
