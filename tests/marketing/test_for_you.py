""" "For you" on the cart and in the portal (marketing.selectors over marketing.recommendations)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from marketing import recommendations, selectors
from tests.accounts.portal_support import shopper
from tests.marketing import test_recommendations
from tests.marketing.test_recommendations import buy

pytestmark = pytest.mark.django_db

# The same store and products A..H (G out of stock) as the recommender's own tests.
store = pytest.fixture(test_recommendations.store.__wrapped__, name="store")
catalogue = pytest.fixture(test_recommendations.catalogue.__wrapped__, name="catalogue")


def _for_you(page: str) -> str:
    return page.split('id="also-like-title"')[1].split("</section>")[0]


def _history(store, catalogue):
    """A goes with B (x3), C (x2), G (x4: out of stock); E and F sell on their own."""
    a, b, c, e, f, g = (catalogue[x] for x in "ABCEFG")
    for _ in range(4):
        buy(store, None, a, g)
    for _ in range(3):
        buy(store, None, a, b)
    for _ in range(2):
        buy(store, None, a, c)
    for _ in range(5):
        buy(store, None, e)
    buy(store, None, f)


def test_a_guests_cart_shows_what_goes_with_it_never_its_own_items_nor_sold_out_ones(
    client, store, catalogue
):
    _history(store, catalogue)
    client.post("/en/cart/add/", {"sku": "SKU-A", "quantity": "1"})
    client.post("/en/cart/add/", {"sku": "SKU-C", "quantity": "1"})

    page = client.get("/en/cart/").content.decode()

    section = _for_you(page)
    assert "For you" in page.split('id="also-like-title"')[1][:40]
    # "Often bought together" already shows B, A's best match in stock; For you goes on with the most
    # popular products: E, then F. Never A or C (in the cart), never G (sold out, though A's best match).
    names = [name for name in ("Product " + x for x in "ABCDEFGH") if name in section]
    suggested = page.split('id="suggestions-title"')[1].split("</section>")[0]
    assert "Product B" in suggested
    assert names == ["Product E", "Product F"]


def test_the_cart_list_follows_the_cart_content(store, catalogue):
    _history(store, catalogue)
    a, b, c, e, f, g = (catalogue[x] for x in "ABCEFG")
    buy(store, None, e, f)
    # A's neighbours first (B: 3 together, C: 2), G left out (no stock)
    assert selectors.for_cart([a.pk], limit=2) == [b.pk, c.pk]
    # E's neighbour is F
    assert selectors.for_cart([e.pk], limit=1) == [f.pk]
    assert selectors.for_cart([], limit=3) == []


def test_a_signed_in_cart_leaves_out_what_the_customer_already_bought(client, store, catalogue):
    _history(store, catalogue)
    a, b, c = (catalogue[x] for x in "ABC")
    ana = shopper(email="ana@example.com")
    buy(store, ana, b, days_ago=10)  # B is a shirt: not bought twice
    assert selectors.for_cart([a.pk], limit=1) == [b.pk]
    assert selectors.for_cart([a.pk], limit=1, user=ana) == [c.pk]

    client.force_login(ana)
    client.post("/en/cart/add/", {"sku": "SKU-A", "quantity": "1"})
    section = _for_you(client.get("/en/cart/").content.decode())
    assert "Product B" not in section and "Product A" not in section and "Product G" not in section


def test_lists_are_cached_per_customer_and_per_cart_for_a_short_while(
    settings, store, catalogue, monkeypatch
):
    settings.RECOMMENDATIONS_FOR_YOU_CACHE_SECONDS = 300
    cache.clear()
    _history(store, catalogue)
    a, b, c = (catalogue[x] for x in "ABC")
    ana = shopper(email="ana@example.com")
    buy(store, ana, a, days_ago=3)
    calls = []
    real_customer, real_products = (
        recommendations.recommend_for_customer,
        recommendations.recommend_for_products,
    )

    def counting_customer(*args, **kwargs):
        calls.append("customer")
        return real_customer(*args, **kwargs)

    def counting_products(*args, **kwargs):
        calls.append("products")
        return real_products(*args, **kwargs)

    monkeypatch.setattr(recommendations, "recommend_for_customer", counting_customer)
    monkeypatch.setattr(recommendations, "recommend_for_products", counting_products)
    try:
        first = selectors.for_customer(ana, limit=2)
        assert selectors.for_customer(ana, limit=2) == first == [b.pk, c.pk]
        assert selectors.for_cart([a.pk], limit=2) == selectors.for_cart([a.pk], limit=2)
        assert selectors.for_cart([a.pk, b.pk], limit=2) == selectors.for_cart([b.pk, a.pk], limit=2)
        selectors.for_cart([a.pk], limit=2, user=ana)  # a customer's cart is keyed apart from a guest's
        assert calls == ["customer", "products", "products", "products"]
    finally:
        cache.clear()


def test_a_cached_list_costs_no_query(settings, store, catalogue, django_assert_num_queries):
    settings.RECOMMENDATIONS_FOR_YOU_CACHE_SECONDS = 300
    cache.clear()
    _history(store, catalogue)
    ana = shopper(email="ana@example.com")
    try:
        selectors.for_customer(ana, limit=4)
        with django_assert_num_queries(0):
            selectors.for_customer(ana, limit=4)
    finally:
        cache.clear()
