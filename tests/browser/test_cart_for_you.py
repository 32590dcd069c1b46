"""The cart on a phone (390x844) shows "For you": what is bought with the cart's content, never an item
already in it nor one out of stock. Writes docs/screenshots/cart-for-you.png with UPDATE_SCREENSHOTS=1."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_shop import PHONE, shot  # noqa: F401  (PHONE documents the viewport)
from tests.marketing.test_recommendations import buy
from tests.storefront.storefront_data import Shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def seed() -> str:
    """The tee sells with the shorts (x4, but sold out) and with six other products; sandals sell alone."""
    shop = Shop()
    tee = shop.tshirt("Calvi linen tee", price="20.0000", aja=5)
    shorts = shop.tshirt("Girolata shorts", price="25.0000")  # no stock anywhere
    others = [
        (shop.tshirt(name, price=price, aja=5), times)
        for name, price, times in [
            ("Porto canvas tote", "15.0000", 4),
            ("Scandola sun hat", "18.0000", 3),
            ("Lavezzi beach towel", "22.0000", 3),
            ("Nonza straw bag", "29.0000", 2),
            ("Corte wool scarf", "24.0000", 2),
            ("Restonica cap", "12.0000", 1),
        ]
    ]
    sandals = shop.tshirt("Bonifacio sandals", price="39.0000", aja=5)
    for _ in range(5):
        buy(shop.aja, None, tee, shorts)
    for product, times in others:
        for _ in range(times):
            buy(shop.aja, None, tee, product)
    for _ in range(2):
        buy(shop.aja, None, sandals)
    return tee.slug


def test_the_cart_shows_for_you_on_a_phone(asgi_server, chromium_browser, in_thread, tmp_path):
    slug = in_thread(seed)
    context = chromium_browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/en/p/{slug}/")
        page.locator("label.picker__value", has_text="S").click()
        page.locator("label.picker__value", has_text="Red").click()
        page.get_by_role("button", name="Add to cart").click()
        expect(page.locator("[data-cart-count]").first).to_have_text("1")
        page.goto(f"{asgi_server.base_url}/en/cart/")

        for_you = page.locator("section.cart-also-like")
        expect(for_you.get_by_role("heading", name="For you")).to_be_visible()
        text = for_you.inner_text()
        assert "Calvi linen tee" not in text  # in the cart
        assert "Girolata shorts" not in text  # the best match, sold out
        assert re.search("Nonza straw bag|Corte wool scarf|Restonica cap|Bonifacio sandals", text)
        page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays on top of the full-page shot
        shot(page, tmp_path, "cart-for-you")
    finally:
        context.close()
