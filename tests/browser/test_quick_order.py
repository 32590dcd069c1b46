"""A company buyer on a phone (390x844) and on a desktop pastes a quick order (issue 17): one line is
off the pack size and one code is unknown, so the page shows the report, keeps the text and adds
nothing; the buyer fixes the lines and lands on the cart with everything in it.

Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshots into docs/screenshots/ (quick-order-*.png).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.portal_support import PASSWORD
from tests.browser.conftest import DESKTOP
from tests.browser.test_shop import PHONE, shot
from tests.orders.quick_order_support import make_b2b_shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def seed() -> str:
    shop = make_b2b_shop()
    shop.anna.set_password(PASSWORD)
    shop.anna.save(update_fields=["password"])
    return shop.anna.email


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_buyer_pastes_lines_fixes_the_report_and_lands_on_the_cart(
    live_server, chromium_browser, in_thread, tmp_path, device, viewport
):
    email = in_thread(seed)
    phone = device == "phone"
    context = chromium_browser.new_context(
        viewport=viewport, locale="en-GB", is_mobile=phone, has_touch=phone
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/en/account/login/?next=/en/account/quick-order/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/en/account/quick-order/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Quick order")

        box = page.get_by_label("Products and quantities")
        box.fill("SKU;Quantity\nBOX;7\nMUG;2\nNOPE;1\nMUG;1")
        page.locator("form:has(#quick-order-lines) button[type=submit]").click()

        expect(page.locator("#quick-order-problem")).to_contain_text("2 lines cannot be added")
        report = page.locator(".qo-report")
        expect(report.locator("tr[data-line='2']")).to_contain_text("order 6 or 12 units, not 7")
        expect(report.locator("tr[data-line='4']")).to_contain_text("Unknown product code NOPE.")
        expect(report.locator("tr[data-line='5']")).to_contain_text("merged into it")
        expect(box).to_have_value("SKU;Quantity\nBOX;7\nMUG;2\nNOPE;1\nMUG;1")
        shot(page, tmp_path, f"quick-order-report-{device}")

        box.fill("SKU;Quantity\nBOX;12\nMUG;2\nMUG;1")
        page.locator("form:has(#quick-order-lines) button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/en/cart/$"))
        expect(page.get_by_text("2 products added to your cart.")).to_be_visible()
        expect(page.locator("body")).to_contain_text("Box")
        expect(page.locator("body")).to_contain_text("Mug")
        shot(page, tmp_path, f"quick-order-cart-{device}")
    finally:
        context.close()
