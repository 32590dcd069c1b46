"""A shopper on a phone (390x844): browse, pick a variant, add to cart, pay with the test provider,
see the confirmation; the same for click & collect. Served by uvicorn in another process on
PostgreSQL, so the pages, the cart session and the payment round trip are the real ones.

Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshots into docs/screenshots/ for the README.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demo.seed import logistics as logistics_demo
from inventory import services as stock
from inventory.models import LocationKind, StockLevel
from orders.models import Order, OrderStatus
from tests.factories import LocationFactory
from tests.storefront.storefront_data import Shop, variant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def seed() -> str:
    """A T-shirt in S/Red and M/Blue; M/Blue is in the warehouse (home delivery) and at Bastia."""
    shop = Shop()
    warehouse = LocationFactory(code="WEB", name="Entrepôt", kind=LocationKind.WAREHOUSE)
    product = shop.tshirt("Calvi linen tee", price="20.0000", aja=2)
    blue = variant(f"{product.slug.upper()}-M-BLUE")
    stock.receive_stock(variant=blue, location=warehouse, quantity=4, reference="PO-1")
    stock.receive_stock(variant=blue, location=shop.bas, quantity=1, reference="PO-1")
    logistics_demo.seed()
    return product.slug


@pytest.fixture
def phone_page(chromium_browser):
    context = chromium_browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def shot(page, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} overflows"
    if os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / f"{name}.png")


def buy_medium_blue(page, base_url: str, slug: str, tmp_path) -> None:
    """Browse from the home page to the product, pick M / Blue, add it, open the cart."""
    page.goto(f"{base_url}/en/")
    shot(page, tmp_path, "shop-home")
    page.goto(f"{base_url}/en/c/women-t-shirts/")
    page.get_by_role("link", name=re.compile("Calvi linen tee")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calvi linen tee")
    page.locator("label.picker__value", has_text="M").click()
    page.locator("label.picker__value", has_text="Blue").click()
    expect(page.locator("#sku")).to_have_value(f"{slug.upper()}-M-BLUE")
    expect(page.locator("[data-store-stock]")).to_contain_text("1 left at Bastia")
    shot(page, tmp_path, "shop-product")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("[data-cart-count]").first).to_have_text("1")
    page.goto(f"{base_url}/en/cart/")
    expect(page.locator("main")).to_contain_text("Calvi linen tee")
    shot(page, tmp_path, "shop-cart")
    page.get_by_role("link", name=re.compile("checkout", re.I)).first.click()
    expect(page).to_have_url(re.compile(r"/en/checkout/$"))


def pay_with_the_test_provider(page, tmp_path, name: str) -> str:
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(page).to_have_url(re.compile(r"/en/pay/test/"))
    shot(page, tmp_path, f"{name}-pay")
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(page).to_have_url(re.compile(r"/en/checkout/done/"))
    number = page.url.rstrip("/").split("/")[-1]
    expect(page.locator("main")).to_contain_text(number)
    shot(page, tmp_path, f"{name}-confirmation")
    return number


def test_home_delivery_from_browsing_to_confirmation(asgi_server, phone_page, in_thread, tmp_path):
    slug = in_thread(seed)
    page = phone_page
    buy_medium_blue(page, asgi_server.base_url, slug, tmp_path)

    page.get_by_label("E-mail", exact=True).fill("lea@example.com")
    page.locator('input[name="delivery_method"][value="home"]').check()
    page.get_by_label("First name").fill("Léa")
    page.get_by_label("Last name").fill("Casanova")
    page.get_by_label("Address", exact=True).fill("3 rue Fesch")
    page.get_by_label("Postal code").fill("20000")
    page.get_by_label("City").fill("Ajaccio")
    page.locator('input[name="carrier"]').first.check()
    page.locator('input[name="provider"][value="test"]').check()
    shot(page, tmp_path, "shop-checkout")
    number = pay_with_the_test_provider(page, tmp_path, "shop-home-delivery")
    expect(page.locator("main")).to_contain_text("Paid")

    def outcome():
        order = Order.objects.get(number=number)
        level = StockLevel.objects.get(variant__sku=f"{slug.upper()}-M-BLUE", location__code="WEB")
        return order.status, order.email, order.total_gross > 20, level.on_hand, level.reserved

    assert in_thread(outcome) == (OrderStatus.PAID, "lea@example.com", True, 3, 0)  # sold from the warehouse


def test_click_and_collect_reserves_at_the_chosen_store(asgi_server, phone_page, in_thread, tmp_path):
    slug = in_thread(seed)
    page = phone_page
    buy_medium_blue(page, asgi_server.base_url, slug, tmp_path)

    page.get_by_label("E-mail", exact=True).fill("paul@example.com")
    page.locator('input[name="delivery_method"][value="click_collect"]').check()
    expect(page.locator('input[name="location"][value="AJA"]')).to_be_disabled()  # no M/Blue at Ajaccio
    page.locator('input[name="location"][value="BAS"]').check()
    page.locator('input[name="provider"][value="test"]').check()
    shot(page, tmp_path, "shop-click-collect-checkout")
    number = pay_with_the_test_provider(page, tmp_path, "shop-click-collect")
    expect(page.locator("main")).to_contain_text("Bastia")

    def outcome():
        order = Order.objects.get(number=number)
        level = StockLevel.objects.get(variant__sku=f"{slug.upper()}-M-BLUE", location__code="BAS")
        return order.status, order.delivery_method, level.on_hand, level.reserved

    # paid, and the unit stays reserved at Bastia until the shopper collects it
    assert in_thread(outcome) == (OrderStatus.PAID, "click_collect", 1, 1)
