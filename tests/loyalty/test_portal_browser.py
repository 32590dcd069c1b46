"""A customer on a phone (390x844) opens "My points" from the portal menu.

Served by the live server on PostgreSQL. Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshot into
docs/screenshots/portal-loyalty.png.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from loyalty import services
from tests.accounts.portal_support import PASSWORD, shopper
from tests.browser import conftest as browser

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

chromium_browser = browser.chromium_browser
in_thread = browser.in_thread
empty_page_cache = browser.empty_page_cache

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_a_customer_sees_their_points_on_a_phone(
    live_server, chromium_browser, in_thread, tmp_path, shop, till_sale
):
    def seed() -> str:
        lea = shopper(email="lea@example.com", first_name="Léa", last_name="Casanova")
        services.adjust(customer=lea, points=30, reason="Welcome gift", staff=shop.cashier)
        till_sale(lea, [("TEE", 24), ("MUG", 8)], [("cash", "348.00")])
        till_sale(lea, [("BOOK", 2)], [("cash", "21.10")])
        services.redeem_points(customer=lea, points=100, key="voucher-1")
        return lea.email

    email = in_thread(seed)
    context = chromium_browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/en/account/login/?next=/en/account/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/en/account/$"))
        page.locator("nav.account-nav").get_by_role("link", name="My points").click()
        page.wait_for_url(re.compile(r"/en/account/loyalty/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("My points")
        expect(page.locator("#loyalty-balance")).to_have_text("299 points")  # 30 + 348 + 21 - 100
        expect(page.locator(".tier-badge")).to_have_text("Silver")
        expect(page.locator(".points-row")).to_have_count(4)
        assert page.locator("progress.progress").get_attribute("value") == "28"  # (369.10-200)/(800-200)
        shot = tmp_path / "portal-loyalty.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            "the page overflows"
        )
        if os.environ.get("UPDATE_SCREENSHOTS"):
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, DOCS / "portal-loyalty.png")
    finally:
        context.close()
