"""Shared fixtures for the payments tests: a shop with stock, orders awaiting payment, and the local
Stripe / PayPal fakes the real SDK clients talk to."""

from decimal import Decimal

import pytest
from django.utils import translation

from inventory import services as inventory
from inventory.models import StockLevel
from orders import services as orders
from orders.models import DeliveryMethod, Order
from orders.services import LineInput
from payments.providers import paypal as paypal_provider
from tests.factories import LocationFactory, VariantFactory

from . import fakes as f


@pytest.fixture(autouse=True)
def _default_language():
    """Services build URLs in the active language; a page fetched by an earlier test must not leak."""
    with translation.override("fr"):
        yield


@pytest.fixture(scope="session")
def fake_server():
    server = f.FakeProviders().start()
    yield server
    server.stop()


@pytest.fixture
def fakes(fake_server, settings):
    """Stripe and PayPal configured and aimed at the local fakes."""
    fake_server.reset()
    settings.STRIPE_SECRET_KEY = f.STRIPE_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = f.STRIPE_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_server.url
    settings.PAYPAL_CLIENT_ID = f.PAYPAL_CLIENT_ID
    settings.PAYPAL_CLIENT_SECRET = f.PAYPAL_CLIENT_SECRET
    settings.PAYPAL_WEBHOOK_ID = f.PAYPAL_WEBHOOK_ID
    settings.PAYPAL_BASE_URL = fake_server.url
    settings.PAYMENTS_SITE_URL = "https://shop.example.com"
    settings.PAYMENTS_NETWORK_RETRIES = 0
    settings.PAYMENTS_NETWORK_TIMEOUT = 5
    paypal_provider._client.cache_clear()
    yield fake_server
    paypal_provider._client.cache_clear()


@pytest.fixture
def shop(db):
    """AJA with 5 TEE at 12.50 TTC each."""
    aja = LocationFactory(code="AJA", name="Ajaccio")
    tee = VariantFactory(sku="TEE", product__base_price_ht=Decimal("10.4150"))
    inventory.receive_stock(variant=tee, location=aja, quantity=5)
    return aja, tee


@pytest.fixture
def order(shop) -> Order:
    """W...-000001: 2 TEE = 25.00 EUR, awaiting payment, 2 units reserved."""
    return place(shop)


def place(shop, *, quantity: int = 2, currency: str = "EUR", delivery: str = DeliveryMethod.HOME) -> Order:
    aja, tee = shop
    return orders.place_web_order(
        lines=[LineInput(tee, quantity)],
        location=aja,
        delivery_method=delivery,
        email="ana@example.com",
        currency=currency,
    )


def level(shop) -> tuple[int, int]:
    aja, tee = shop
    lv = StockLevel.objects.get(variant=tee, location=aja)
    return lv.on_hand, lv.reserved


RETURN_URL = "/en/checkout/done/W2026-000001/"
CANCEL_URL = "/en/cart/"
