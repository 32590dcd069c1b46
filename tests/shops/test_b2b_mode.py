"""A shop in B2B mode shows prices HT everywhere: cards, product page, cart, mini-cart, checkout.

Shop A is the default B2C shop (``testserver``); shop B, "Maison Corse Pro" on ``pro.localhost``,
is in B2B mode. The same jam (5.00 HT) shows its TTC price on A and its HT price on B, to anybody.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from core.money import format_money, money_round
from orders.models import Cart
from orders.services import cart as cart_services
from shops import selectors as shop_selectors
from tests.shops.test_isolation import on
from tests.storefront.storefront_data import _fresh_cache  # noqa: F401

from .conftest import A, B

pytestmark = pytest.mark.django_db


@pytest.fixture
def jam(catalog):
    return catalog.jam("Fig jam", price="5.0000", aja=50)


def _gross(jam, quantity: int = 1) -> Decimal:
    return money_round(Decimal("5.0000") * (1 + jam.vat_rate.rate)) * quantity


def _en(amount: Decimal) -> str:
    return format_money(amount, "EUR", "en")


def _fill(host: str, jam, quantity: int) -> Client:
    browser = on(host)
    response = browser.post("/en/cart/add/", {"sku": jam.variants.first().sku, "quantity": str(quantity)})
    assert response.status_code == 302
    return browser


def test_the_product_page_shows_ht_on_the_b2b_shop_and_ttc_on_the_b2c_one(pro, jam):
    b2b = on(B).get(f"/en/p/{jam.slug}/").content.decode()
    b2c = on(A).get(f"/en/p/{jam.slug}/").content.decode()
    assert f'{_en(Decimal("5.00"))}</span> <span class="muted">excl. VAT' in b2b
    assert f'{_en(_gross(jam))}</span> <span class="muted">incl. VAT' in b2c
    assert "excl. VAT" not in b2c


def test_cards_show_ht_on_the_b2b_shop(pro, jam):
    page = on(B).get("/en/").content.decode()
    assert f'<span class="price">{_en(Decimal("5.00"))}</span> <span class="muted">excl. VAT' in page
    assert "excl. VAT" not in on(A).get("/en/").content.decode()


def test_the_cart_on_the_b2b_shop_shows_ht_lines_and_a_vat_breakdown(pro, jam):
    browser = _fill(B, jam, 3)
    page = browser.get("/en/cart/")
    priced = page.context["priced"]
    assert priced.prices_ht is True
    html = page.content.decode()
    net = money_round(_gross(jam, 3) / (1 + jam.vat_rate.rate))
    assert "data-prices-ht" in html
    assert f'{_en(Decimal("5.00"))}</span>\n            <span class="muted">each, excl. VAT' in html
    assert f'<dt>Total excl. VAT</dt><dd class="price">{_en(net)}</dd>' in html
    assert f"<dt>VAT</dt><dd>{_en(_gross(jam, 3) - net)}</dd>" in html
    assert f'<dt>Total incl. VAT</dt><dd class="price">{_en(_gross(jam, 3))}</dd>' in html
    assert "Prices exclude VAT." in html
    # net + VAT == gross, and the net is what the order line will carry
    assert priced.total_net_in_currency + priced.total_vat_in_currency == priced.total_gross_in_currency
    assert priced.total_net == net


def test_the_cart_on_the_b2c_shop_stays_ttc(pro, jam):
    browser = _fill(A, jam, 2)
    page = browser.get("/en/cart/")
    assert page.context["priced"].prices_ht is False
    html = page.content.decode()
    assert "data-prices-ht" not in html and "Prices include VAT." in html
    assert f'<dt>Total</dt><dd class="price">{_en(_gross(jam, 2))}</dd>' in html


def test_the_mini_cart_and_the_checkout_follow_the_shop(pro, jam):
    b2b = _fill(B, jam, 2)
    net = money_round(_gross(jam, 2) / (1 + jam.vat_rate.rate))
    drawer = b2b.get("/en/cart/drawer/").content.decode()
    assert f"<dt>Total excl. VAT</dt><dd>{_en(net)}</dd>" in drawer
    checkout = b2b.get("/en/checkout/").content.decode()
    assert "Subtotal excl. VAT" in checkout and "Item prices exclude VAT" in checkout
    b2c = _fill(A, jam, 2)
    assert "excl. VAT" not in b2c.get("/en/cart/drawer/").content.decode()
    assert "Subtotal excl. VAT" not in b2c.get("/en/checkout/").content.decode()


def test_a_discount_shows_ht_without_a_rounding_cent(pro, jam):
    """No discount: subtotal HT == total HT exactly (both from the lines' TTC), so no phantom −0.01."""
    _fill(B, jam, 7)
    cart = Cart.objects.get()
    priced = cart_services.price_cart(cart=cart, customer_group=None)
    assert priced.discount_net_in_currency == 0
    assert priced.subtotal_net_in_currency == priced.total_net_in_currency


def test_the_b2b_mode_is_read_from_the_snapshot_without_a_query(pro, django_assert_num_queries):
    from orders.services import b2b

    shop_selectors.shop_by_id(pro.pk)  # warm
    with django_assert_num_queries(0):
        assert b2b.sees_prices_ht(b2b.Buyer(company=None, group=None), shop_id=pro.pk) is True
        assert b2b.sees_prices_ht(b2b.Buyer(company=None, group=None), shop_id=None) is False


def test_the_cart_api_tells_an_app_to_show_ht_on_the_b2b_shop(pro, jam):
    from rest_framework.test import APIClient

    bodies = {}
    for host in (A, B):
        client = APIClient(HTTP_HOST=host)
        token = client.post("/api/v1/cart/", {}, format="json").json()["token"]
        bodies[host] = client.post(
            f"/api/v1/cart/{token}/lines/", {"sku": jam.variants.first().sku, "quantity": 3}, format="json"
        ).json()["totals"]
    net = money_round(_gross(jam, 3) / (1 + jam.vat_rate.rate))
    assert (bodies[B]["prices_ht"], bodies[A]["prices_ht"]) == (True, False)
    assert bodies[B]["total_net"] == bodies[A]["total_net"] == str(net)


def test_the_cart_suggestions_follow_the_shop(pro, jam, catalog):
    catalog.jam("Chestnut honey", price="8.0000", aja=5)  # same category: suggested
    honey_gross = money_round(Decimal("8.0000") * (1 + jam.vat_rate.rate))
    b2b = _fill(B, jam, 1).get("/en/cart/")
    b2c = _fill(A, jam, 1).get("/en/cart/")
    [(_, b2b_price)] = [(s, p) for s, p in b2b.context["suggestions"] if s.product.name == "Chestnut honey"]
    [(_, b2c_price)] = [(s, p) for s, p in b2c.context["suggestions"] if s.product.name == "Chestnut honey"]
    assert (b2b_price, b2c_price) == (Decimal("8.00"), honey_gross)
    assert f'{_en(Decimal("8.00"))}</span> <span class="muted">excl. VAT' in b2b.content.decode()
