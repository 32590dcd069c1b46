"""Weekdays, dates and money on the shop's pages in the page's language: one money format (the
``money`` filter) on the product page and in the cart, opening hours with Django's weekday names."""

import pytest
from django.utils import translation

from orders.models import DeliveryMethod, OrderStatus
from storefront.templatetags.storefront_tags import money, opening_hours
from tests.accounts.portal_support import order, shopper
from tests.factories import LocationFactory
from tests.orders.cart_support import make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db):
    return shopper(email="ana@example.com", first_name="Ana", last_name="Rossi")


@pytest.fixture
def signed_in(client, ana):
    client.force_login(ana)
    return client


PRICES = {"fr": "12,50\u00a0€", "en": "€12.50", "it": "12,50\u00a0€"}
TOTALS = {"fr": "37,50\u00a0€", "en": "€37.50", "it": "37,50\u00a0€"}


@pytest.mark.parametrize(
    ("language", "eur", "gbp"),
    [
        ("fr", "1\u202f234,50\u00a0€", "80,90\u00a0£"),
        ("en", "€1,234.50", "£80.90"),
        ("it", "1\u202f234,50\u00a0€", "80,90\u00a0£"),
    ],
)
def test_money_is_written_the_way_each_language_writes_it(language, eur, gbp):
    with translation.override(language):
        assert money("1234.5") == eur
        assert money("80.9", "GBP") == gbp


@pytest.mark.parametrize("language", ["fr", "en", "it"])
def test_the_cart_writes_prices_as_the_product_page_does(client, language):
    _aja, tee, _mug = make_shop()
    product_page = client.get(f"/{language}/p/{tee.product.slug}/").content.decode()
    client.post(f"/{language}/cart/add/", {"sku": "TEE", "quantity": "3"})

    cart = client.get(f"/{language}/cart/").content.decode()

    assert PRICES[language] in product_page
    assert PRICES[language] in cart and TOTALS[language] in cart
    assert " EUR" not in cart


@pytest.mark.parametrize(
    ("language", "days"),
    [
        ("fr", [("Lundi", "10:00–19:00"), ("Samedi", "09:00–12:30"), ("Dimanche", "Fermé")]),
        ("en", [("Monday", "10:00–19:00"), ("Saturday", "09:00–12:30"), ("Sunday", "Closed")]),
        ("it", [("Lunedì", "10:00–19:00"), ("Sabato", "09:00–12:30"), ("Domenica", "Chiuso")]),
    ],
)
def test_opening_hours_name_the_days_in_the_page_language(language, days):
    hours = {"sun": "closed", "mon": "10:00-19:00", "sat": "09:00-12:30"}  # stored in any order
    with translation.override(language):
        assert opening_hours(hours) == days


@pytest.mark.parametrize(
    ("language", "monday", "wrong"),
    [("fr", "Lundi", "Mon"), ("it", "Lunedì", "Mon"), ("en", "Monday", "Mon<")],
)
def test_the_pickup_store_hours_on_the_order_page(signed_in, ana, language, monday, wrong):
    store = LocationFactory(code="PRO", name="Porto-Vecchio", opening_hours={"mon": "10:00-19:00"})
    made = order(
        ana,
        "W2026-000050",
        delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
        location=store,
        status=OrderStatus.READY_FOR_PICKUP,
    )

    html = signed_in.get(f"/{language}/account/orders/{made.number}/").content.decode()

    assert f"<li><span>{monday}</span> <span>10:00–19:00</span></li>" in html
    assert f"<span>{wrong}" not in html


CHECKOUT_TOTALS = {"fr": "37,50\u00a0€", "en": "€37.50", "it": "37,50\u00a0€"}


@pytest.mark.parametrize("language", ["fr", "en", "it"])
def test_the_checkout_writes_prices_as_the_product_page_does(client, language):
    """The summary, the delivery total and the pay button: the symbol, never "EUR" (issue 16)."""
    make_shop()
    client.post(f"/{language}/cart/add/", {"sku": "TEE", "quantity": "3"})

    page = client.get(f"/{language}/checkout/").content.decode()

    assert f'data-collect="{CHECKOUT_TOTALS[language]}"' in page
    assert page.count(CHECKOUT_TOTALS[language]) >= 3  # the line, the subtotal, the total and the button
    assert " EUR" not in page
