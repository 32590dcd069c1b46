"""Redis unreachable: the storefront serves every page uncached, quickly, and counts it.

The cache is pointed at a closed port (connection refused) and at a port that accepts and never
answers (a hung Redis: the socket timeout). Sessions live in the database, so signing in works too.
"""

from __future__ import annotations

import socket
import time

import pytest
from django.test import Client, override_settings

from core import cache as resilient
from core import degradation
from orders import services as orders
from orders.models import DeliveryMethod
from orders.services import LineInput
from payments import services as payments
from tests.accounts.portal_support import PASSWORD, shopper
from tests.storefront.storefront_data import Shop, variant

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 2.0  # seconds a page: a cold category took 1.3 s under CI load; a hang takes more


def unreachable_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_counters():
    degradation.reset()
    resilient.reset_breakers()
    yield
    resilient.reset_breakers()


@pytest.fixture
def silent_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


@pytest.fixture
def shop(db):
    return Shop()


def timed_get(client: Client, url: str):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


@pytest.mark.parametrize("outage", ["refused", "hung"])
def test_every_storefront_page_answers_200_fast_with_the_cache_unreachable(outage, shop, silent_port):
    product = shop.tshirt("Calvi tee", aja=5)
    tee = variant("TEE-1-S-RED")
    payment = payments.start_payment(
        order=orders.place_web_order(
            lines=[LineInput(tee, 1)], location=shop.aja, delivery_method=DeliveryMethod.HOME, email="a@b.fr"
        ),
        provider="test",
        site_host="testserver",
        return_url="http://testserver/en/",
        cancel_url="http://testserver/en/cart/",
    )
    shopper("ana@example.com")
    location = "redis://127.0.0.1:1/0" if outage == "refused" else f"redis://127.0.0.1:{silent_port}/0"
    client = Client()
    timings = {}

    with override_settings(CACHES=unreachable_cache(location)):
        for name, url in [
            ("home", "/en/"),
            ("product", f"/en/p/{product.slug}/"),
            ("search", "/en/search/?q=Calvi"),
            ("category", "/en/c/clothing/"),
            ("login", "/en/account/login/"),
        ]:
            response, timings[name] = timed_get(client, url)
            assert response.status_code == 200, name
        assert "Calvi tee" in client.get(f"/en/p/{product.slug}/").content.decode()

        response = client.post("/en/cart/add/", {"sku": tee.sku, "quantity": "1"})
        assert response.status_code in (200, 302)
        response, timings["cart"] = timed_get(client, "/en/cart/")
        assert response.status_code == 200
        assert "Calvi tee" in response.content.decode()

        response = client.post("/en/account/login/", {"username": "ana@example.com", "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/en/account/"
        response, timings["account"] = timed_get(client, "/en/account/")
        assert response.status_code == 200
        response, timings["checkout"] = timed_get(client, "/en/checkout/")
        assert response.status_code == 200
        response, timings["payment"] = timed_get(client, f"/en/pay/test/{payment.payment_id}/")
        assert response.status_code == 200

    slow = {name: round(seconds, 3) for name, seconds in timings.items() if seconds >= PAGE_BUDGET}
    assert slow == {}
    assert degradation.counts()["cache"] >= 5  # every anonymous catalog page tried the cache
    print(f"\n{outage}: " + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timings.items()))


def test_a_product_page_without_the_cache_shows_fresh_stock(shop):
    product = shop.tshirt("Calvi tee", aja=3)

    with override_settings(CACHES=unreachable_cache("redis://127.0.0.1:1/0")):
        assert "3 left at Ajaccio" in Client().get(f"/en/p/{product.slug}/").content.decode()
        from inventory import services as stock

        stock.sell_stock(variant=variant("TEE-1-S-RED"), location=shop.aja, quantity=1, reference="S-1")
        assert "2 left at Ajaccio" in Client().get(f"/en/p/{product.slug}/").content.decode()
