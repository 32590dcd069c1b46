"""Whole anonymous pages from the cache (storefront.middleware.FullPageCacheMiddleware): no view, no
query, no template on a hit; each visitor's own CSRF token and cart badge; never for the signed-in,
never over a message, never a page older than the figures it shows."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from inventory import services as stock
from orders.models import Cart
from pricing.services import set_currency_rate
from tests.factories import UserFactory
from tests.storefront.storefront_data import Shop, _fresh_cache, variant  # noqa: F401

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def shop(db):
    return Shop()


@pytest.fixture
def product(shop):
    return shop.tshirt("Calvi tee", aja=3)


def url(product) -> str:
    return f"/en/p/{product.slug}/"


def test_the_second_visit_runs_no_view_no_query_no_template(client, product, django_assert_num_queries):
    first = client.get(url(product))
    assert first["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):
        hit = client.get(url(product))

    assert hit["X-Page-Cache"] == "hit"
    assert hit.templates == []  # nothing rendered
    body = hit.content.decode()
    assert "3 left at Ajaccio" in body and "Calvi tee" in body
    assert "__FULLPAGE_CSRF__" not in body


@pytest.mark.parametrize(
    "path", ["/en/", "/en/c/clothing/", "/en/search/?q=calvi", "/fr/c/clothing/?sort=price_asc"]
)
def test_home_listings_and_search_are_served_whole_too(client, product, path, django_assert_num_queries):
    assert client.get(path)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = client.get(path)
    assert hit["X-Page-Cache"] == "hit" and "Calvi tee" in hit.content.decode()


def test_each_visitor_gets_their_own_working_csrf_token(product):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(url(product))
    hit = second.get(url(product))
    assert hit["X-Page-Cache"] == "hit"

    tokens = set(TOKEN.findall(hit.content.decode()))
    assert len(tokens) == 1  # the add-to-cart, review and switch forms all carry this visitor's token
    added = second.post(
        "/en/cart/add/", {"sku": "TEE-1-S-RED", "quantity": "1", "csrfmiddlewaretoken": tokens.pop()}
    )
    assert added.status_code == 302
    assert Cart.objects.get().lines.get().quantity == 1


def test_another_visitors_token_is_refused(product):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    token = TOKEN.findall(first.get(url(product)).content.decode())[0]
    second.get(url(product))
    refused = second.post(
        "/en/cart/add/", {"sku": "TEE-1-S-RED", "quantity": "1", "csrfmiddlewaretoken": token}
    )
    assert refused.status_code == 403
    assert not Cart.objects.exists()


def test_a_visitor_with_a_cart_sees_0_then_the_count_from_the_json_call(client, product):
    client.get(url(product))  # stored by a visitor without a cart
    client.post("/en/cart/add/", {"sku": "TEE-1-S-RED", "quantity": "2"}, HTTP_ACCEPT="application/json")

    hit = client.get(url(product))
    assert hit["X-Page-Cache"] == "hit"
    badge = re.search(r"<span [^>]*data-cart-count[^>]*>(\d+)</span>", hit.content.decode())
    assert badge is not None and badge.group(1) == "0"
    assert 'data-cart-url="/en/cart/count/"' in badge.group(0)

    count = client.get("/en/cart/count/")
    assert count.json() == {"cart_count": 2}
    assert count["Cache-Control"] == "private, no-store"


def test_a_page_stored_by_a_visitor_with_a_cart_shows_nobody_their_count(product):
    buyer = Client()
    buyer.post("/en/cart/add/", {"sku": "TEE-1-S-RED", "quantity": "2"}, HTTP_ACCEPT="application/json")
    missed = buyer.get(url(product))
    assert missed["X-Page-Cache"] == "miss"
    assert re.search(r"data-cart-count[^>]*>2</span>", missed.content.decode())  # their own count, rendered

    hit = Client().get(url(product))
    assert hit["X-Page-Cache"] == "hit"
    assert re.search(r"data-cart-count[^>]*>0</span>", hit.content.decode())
    assert "data-cart-url" not in hit.content.decode()  # no cart: nothing to ask


def test_the_signed_in_are_never_served_a_stored_page(client, product):
    Client().get(url(product))
    client.force_login(UserFactory(email="ana@example.com"))

    response = client.get(url(product))

    assert "X-Page-Cache" not in response
    assert "My account" in response.content.decode()


def test_a_waiting_message_is_shown_not_skipped(client, product):
    Client().get(url(product))
    client.post("/en/cart/add/", {"sku": "TEE-1-S-RED", "quantity": "1"})  # "Added to your cart" waits

    response = client.get(url(product))

    assert "X-Page-Cache" not in response
    assert "Added to your cart: Calvi tee." in response.content.decode()
    assert client.get(url(product))["X-Page-Cache"] == "hit"  # shown once, then the page is shared again


def test_a_committed_sale_is_seen_at_once(client, shop, product, django_capture_on_commit_callbacks):
    client.get(url(product))
    assert client.get(url(product))["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        stock.sell_stock(variant=variant("TEE-1-S-RED"), location=shop.aja, quantity=1, reference="S-1")

    response = client.get(url(product))
    assert response["X-Page-Cache"] == "miss"
    assert "2 left at Ajaccio" in response.content.decode()


def test_each_currency_has_its_own_page(client, product):
    set_currency_rate(currency="GBP", rate=Decimal("0.86"))
    Client().get(url(product))  # EUR, stored
    client.post("/en/currency/", {"currency": "GBP", "next": url(product)})

    response = client.get(url(product))

    assert response["X-Page-Cache"] == "miss"
    assert "GBP" in response.content.decode() and "12.00 €" not in response.content.decode()


def test_a_revalidating_browser_gets_a_304(client, product):
    first = client.get(url(product))
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert first["Cache-Control"] == "private, no-cache"
    assert "Cookie" in first["Vary"]

    again = client.get(url(product), HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304 and again.content == b""


def test_query_strings_are_pages_of_their_own(client, product, shop):
    shop.tshirt("Bastia tee", bas=2)
    client.get("/en/c/clothing/?sort=price_asc")
    response = client.get("/en/c/clothing/?sort=price_desc")
    assert response["X-Page-Cache"] == "miss"


def test_a_bad_filter_is_not_stored(client, product):
    assert client.get("/en/c/clothing/?min_price=abc").status_code == 400
    response = client.get("/en/c/clothing/?min_price=abc")
    assert response.status_code == 400 and "X-Page-Cache" not in response


def test_the_product_view_is_still_counted_on_a_hit(client, product, settings):
    from marketing import traffic

    client.get(url(product))
    noted = []
    real = traffic.note_step

    def spy(request, step, **kwargs):
        noted.append((step, kwargs.get("product_id")))
        return real(request, step, **kwargs)

    traffic.note_step = spy
    try:
        assert client.get(url(product))["X-Page-Cache"] == "hit"
    finally:
        traffic.note_step = real
    assert noted == [(traffic.Step.PRODUCT, product.pk)]


def test_with_the_page_cache_off_every_page_is_built(
    client, product, settings, django_assert_max_num_queries
):
    settings.STOREFRONT_PAGE_CACHE = False  # what bench/serving.py --uncached measures
    client.get(url(product))
    response = client.get(url(product))
    assert "X-Page-Cache" not in response
    assert "3 left at Ajaccio" in response.content.decode()
    assert response.templates  # rendered again
