"""The mini-cart drawer's fragment, the product page's delivery estimate and checkout's slim header
(issue 16), without a browser."""

import pytest

from logistics.models import Carrier
from tests.factories import UserFactory
from tests.logistics.shop import make_cart, make_shop

pytestmark = pytest.mark.django_db


def test_the_drawer_lists_the_cart_and_is_never_cached(client):
    shop = make_shop()
    user = UserFactory()
    make_cart((shop.tee, 2), user=user)
    client.force_login(user)
    response = client.get("/en/cart/drawer/")
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert 'data-sku="TEE"' in body and "Quantity 2" in body and "€25.00" in body
    assert 'href="/en/checkout/"' in body and 'href="/en/cart/"' in body


def test_an_empty_drawer_says_so(client):
    body = client.get("/fr/cart/drawer/").content.decode()
    assert "Votre panier est vide." in body and "drawer__lines" not in body


def test_the_drawer_is_a_get(client):
    assert client.post("/en/cart/drawer/").status_code == 405


def test_the_header_links_the_drawer_and_checkout_has_the_slim_header(client):
    shop = make_shop()
    user = UserFactory()
    make_cart((shop.tee, 1), user=user)
    client.force_login(user)
    home = client.get("/en/").content.decode()
    assert 'data-drawer-url="/en/cart/drawer/"' in home
    checkout = client.get("/en/checkout/").content.decode()
    assert "shop-header--slim" in checkout and "Secure checkout" in checkout
    assert 'role="search"' not in checkout  # no search box or category menu while paying


def test_the_product_page_promises_the_fastest_carriers_delay(client):
    from django.core.cache import cache

    cache.clear()  # the promise is cached like the stores (an earlier test's carriers)
    shop = make_shop()
    Carrier.objects.filter(code="colissimo").update(delivery_days="2-3")
    Carrier.objects.exclude(code="colissimo").update(delivery_days="4-5")
    body = client.get(f"/en/p/{shop.tee.product.slug}/").content.decode()
    assert "Home delivery in 2-3 working days" in body
