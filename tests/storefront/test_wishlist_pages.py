"""The heart on product pages and the portal's "My wishlist", through the Django test client."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketing.models import WishlistItem
from tests.accounts.portal_support import shopper
from tests.factories import LocationFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

ADD, REMOVE, PAGE = "/en/account/wishlist/add/", "/en/account/wishlist/remove/", "/en/account/wishlist/"


@pytest.fixture
def ana(db):
    return shopper(email="ana@example.com")


@pytest.fixture
def tee(db):
    return VariantFactory(
        sku="TEE", product__name="Tee", product__slug="tee", product__base_price_ht=Decimal("10")
    )


def test_anonymous_heart_goes_to_login_and_back_to_the_product(client, tee):
    response = client.post(ADD, {"product": tee.product_id, "next": "/en/p/tee/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/account/login/?next=/en/p/tee/"
    assert not WishlistItem.objects.exists()
    assert client.get(PAGE)["Location"].startswith("/en/account/login/")


def test_the_heart_adds_and_removes(client, ana, tee):
    client.force_login(ana)
    page = client.get("/en/p/tee/").content.decode()
    assert 'action="/en/account/wishlist/add/"' in page and 'aria-pressed="false"' in page

    response = client.post(ADD, {"product": tee.product_id, "next": "/en/p/tee/"})
    assert response.status_code == 302 and response["Location"] == "/en/p/tee/"
    wish = WishlistItem.objects.get()
    assert (wish.customer, wish.product, wish.variant, wish.reference_price) == (
        ana,
        tee.product,
        None,
        Decimal("12.00"),
    )
    page = client.get("/en/p/tee/").content.decode()
    assert 'action="/en/account/wishlist/remove/"' in page and 'aria-pressed="true"' in page

    client.post(ADD, {"product": tee.product_id})  # twice: still one wish
    assert WishlistItem.objects.count() == 1

    response = client.post(REMOVE, {"product": tee.product_id}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json() == {"wished": False}
    assert not WishlistItem.objects.exists()


def test_a_variant_and_a_store(client, ana, tee):
    bastia = LocationFactory(code="BAS", name="Bastia")
    client.force_login(ana)
    response = client.post(
        ADD, {"product": tee.product_id, "sku": "TEE", "store": "BAS"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200 and response.json() == {"wished": True}
    wish = WishlistItem.objects.get()
    assert (wish.variant, wish.store) == (tee, bastia)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({}, 400),
        ({"product": "abc"}, 400),
        ({"product": "-1"}, 400),
        ({"product": "999999"}, 404),
        ({"product": "PRODUCT", "sku": "NOPE"}, 404),
        ({"product": "PRODUCT", "store": "NOPE"}, 404),
    ],
)
def test_bad_input_is_refused_and_nothing_written(client, ana, tee, data, status):
    client.force_login(ana)
    data = {k: (str(tee.product_id) if v == "PRODUCT" else v) for k, v in data.items()}
    response = client.post(ADD, data)
    assert response.status_code == status
    assert not WishlistItem.objects.exists()
    response = client.post(ADD, data, HTTP_ACCEPT="application/json")
    assert response.status_code == status and response.json()["message"]


def test_an_unpublished_product_cannot_be_wished(client, ana):
    hidden = ProductFactory(is_published=False)
    client.force_login(ana)
    assert client.post(ADD, {"product": hidden.pk}).status_code == 404
    assert not WishlistItem.objects.exists()


def test_get_is_not_allowed(client, ana, tee):
    client.force_login(ana)
    assert client.get(ADD).status_code == 405


def test_the_wishlist_page(client, ana, tee, django_assert_max_num_queries):
    others = [VariantFactory(product__name=f"Mug {n}") for n in range(3)]
    client.force_login(ana)
    for variant in [tee, *others]:
        client.post(ADD, {"product": variant.product_id})
    with django_assert_max_num_queries(14):
        response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>My wishlist</h1>" in html
    assert "Tee" in html and "Mug 2" in html and "€12.00" in html
    assert 'aria-current="page">My wishlist</a>' in html
    assert html.count("Out of stock") == 4


def test_an_empty_wishlist_says_how_to_fill_it(client, ana):
    client.force_login(ana)
    assert "tap the heart on a product page" in client.get(PAGE).content.decode()
