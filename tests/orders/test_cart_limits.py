"""Size bounds of a cart: at most CART_MAX_LINES lines, quantities within MAX_LINE_QUANTITY."""

import pytest

from catalog.models import Variant
from orders.models import Cart, CartLine
from orders.services import cart as cart_services
from tests.core.api_helpers import api_client
from tests.factories import LocationFactory, ProductFactory, VariantFactory, make_ean13
from tests.orders.cart_support import lines_of

pytestmark = pytest.mark.django_db

CART = "/api/v1/cart/"


@pytest.fixture
def many_products(settings):
    """101 products, 5 of each online at AJA, and a bound of 100 lines."""
    settings.CART_MAX_LINES = 100
    aja = LocationFactory(code="AJA", sells_online=True)
    product = ProductFactory()
    variants = Variant.objects.bulk_create(
        [Variant(product=product, sku=f"P{n:03d}", ean13=make_ean13(900_000 + n)) for n in range(101)]
    )
    from inventory import services as inventory

    for variant in variants:
        inventory.receive_stock(variant=variant, location=aja, quantity=5)
    return variants


def test_the_101st_line_is_refused_with_cart_full_and_nothing_changes(many_products):
    client = api_client()
    token = client.post(CART, {}, format="json").json()["token"]
    for variant in many_products[:100]:
        assert (
            client.post(
                f"{CART}{token}/lines/", {"sku": variant.sku, "quantity": 1}, format="json"
            ).status_code
            == 201
        )

    response = client.post(f"{CART}{token}/lines/", {"sku": "P100", "quantity": 1}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "cart_full",
        "message": "Your cart holds 100 different products, the most it can hold.",
        "detail": {"limit": "cart_lines", "max": 100},
    }
    assert CartLine.objects.filter(cart__token=token).count() == 100
    # More of a product already in the cart is still fine.
    more = client.post(f"{CART}{token}/lines/", {"sku": "P000", "quantity": 1}, format="json")
    assert more.status_code == 201


def test_a_merge_at_login_keeps_at_most_the_bound(many_products, settings):
    settings.CART_MAX_LINES = 3
    source, target = cart_services.open_cart(currency="EUR"), cart_services.open_cart(currency="EUR")
    for variant in many_products[:2]:
        cart_services.add_to_cart(cart=target, variant=variant, quantity=1)
    for variant in many_products[2:5]:
        cart_services.add_to_cart(cart=source, variant=variant, quantity=1)

    cart_services.merge_carts(source=source, target=target)

    assert lines_of(Cart.objects.get(pk=target.pk)) == [("P000", 1), ("P001", 1), ("P002", 1)]


@pytest.mark.parametrize("quantity", [10**9, 100, 2**63 - 1])
def test_a_huge_quantity_is_refused(quantity):
    aja = LocationFactory(code="AJA", sells_online=True)
    VariantFactory(sku="TEE")
    del aja
    client = api_client()
    token = client.post(CART, {}, format="json").json()["token"]

    response = client.post(f"{CART}{token}/lines/", {"sku": "TEE", "quantity": quantity}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] in ("invalid", "invalid_quantity")
    assert CartLine.objects.count() == 0


def test_the_cart_add_form_refuses_the_101st_line_with_a_message(many_products, client):
    for variant in many_products[:100]:
        client.post("/en/cart/add/", {"sku": variant.sku, "quantity": "1"})

    response = client.post("/en/cart/add/", {"sku": "P100", "quantity": "1"}, follow=True)

    assert "Your cart holds 100 different products, the most it can hold." in response.content.decode()
    assert CartLine.objects.count() == 100
