"""Anonymous storefront pages are cached, and refreshed when a price or stock figure they show changes."""

from decimal import Decimal

import pytest
from django.test import Client

from catalog.admin import ProductAdmin
from catalog.models import Product
from inventory import services as stock
from tests.factories import staff
from tests.storefront.storefront_data import Shop, _fresh_cache, variant  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return Shop()


def test_second_anonymous_visit_is_served_from_the_cache(client, shop, django_assert_max_num_queries):
    product = shop.tshirt("Calvi tee", aja=3)
    url = f"/en/p/{product.slug}/"
    client.get(url)

    # the product lookup and the footer currency switch; the page itself comes from the cache
    with django_assert_max_num_queries(2):
        response = client.get(url)

    assert "3 left at Ajaccio" in response.content.decode()


def test_a_committed_stock_change_shows_on_the_cached_product_page(
    client, shop, django_capture_on_commit_callbacks
):
    product = shop.tshirt("Calvi tee", aja=3)
    url = f"/en/p/{product.slug}/"
    assert "3 left at Ajaccio" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        stock.sell_stock(variant=variant("TEE-1-S-RED"), location=shop.aja, quantity=1, reference="S-1")

    assert "2 left at Ajaccio" in client.get(url).content.decode()


def test_selling_the_last_unit_refreshes_the_cached_listing(client, shop, django_capture_on_commit_callbacks):
    shop.tshirt("Calvi tee", aja=1)
    assert "stock-badge--in" in client.get("/en/c/clothing/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        stock.sell_stock(variant=variant("TEE-1-S-RED"), location=shop.aja, quantity=1, reference="S-1")

    body = client.get("/en/c/clothing/").content.decode()
    assert "stock-badge--out" in body and "stock-badge--in" not in body


def test_a_sale_that_leaves_stock_keeps_the_listing_cache(client, shop, django_capture_on_commit_callbacks):
    shop.tshirt("Calvi tee", aja=5)
    client.get("/en/c/clothing/")

    with django_capture_on_commit_callbacks(execute=True):
        stock.sell_stock(variant=variant("TEE-1-S-RED"), location=shop.aja, quantity=1, reference="S-1")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get("/en/c/clothing/")
    assert len(captured) <= 1  # still cached (the footer currency list only): "in stock" did not change


def test_a_price_saved_in_the_admin_shows_on_cached_pages(shop, rf, django_capture_on_commit_callbacks):
    product = shop.tshirt("Calvi tee", aja=3)
    client = Client()
    assert "€12.00" in client.get(f"/en/p/{product.slug}/").content.decode()
    assert "€12.00" in client.get("/en/c/clothing/").content.decode()

    # staff change the base price in the admin
    product.base_price_ht = Decimal("20.0000")
    admin_obj = ProductAdmin(Product, None)
    request = rf.post("/admin/")
    request.user = staff()
    with django_capture_on_commit_callbacks(execute=True):
        admin_obj.save_model(request, product, form=None, change=True)

        class _Form:
            instance = product

            def save_m2m(self):
                pass

        admin_obj.save_related(request, _Form(), formsets=[], change=True)

    assert "€24.00" in client.get(f"/en/p/{product.slug}/").content.decode()
    assert "€24.00" in client.get("/en/c/clothing/").content.decode()


def test_cached_pages_never_share_a_csrf_token(shop):
    product = shop.tshirt("Calvi tee", aja=3)
    first, second = Client(), Client()

    def token(client):
        import re

        body = client.get(f"/en/p/{product.slug}/").content.decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    one, two = token(first), token(second)

    assert "__CSRF" not in one and one != two
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_signed_in_shoppers_are_not_served_the_anonymous_cache(client, shop):
    from tests.factories import UserFactory

    product = shop.tshirt("Calvi tee", aja=3)
    client.get(f"/en/p/{product.slug}/")
    client.force_login(UserFactory())

    body = client.get(f"/en/p/{product.slug}/").content.decode()

    assert "Reviews are written by customers who bought this product." in body


def test_a_new_currency_rate_shows_on_cached_pages(shop, django_capture_on_commit_callbacks):
    from pricing.services import set_currency_rate

    set_currency_rate(currency="GBP", rate=Decimal("0.80"))
    product = shop.tshirt("Calvi tee", aja=3)
    client = Client()
    client.post("/en/currency/", {"currency": "GBP", "next": f"/en/p/{product.slug}/"})
    assert "£9.60" in client.get(f"/en/p/{product.slug}/").content.decode()  # 12.00 EUR x 0.80

    with django_capture_on_commit_callbacks(execute=True):
        set_currency_rate(currency="GBP", rate=Decimal("0.90"))

    assert "£10.80" in client.get(f"/en/p/{product.slug}/").content.decode()
