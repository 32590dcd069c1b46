"""B2B quotes in a browser (issue 17): a company buyer on a phone (390x844) asks for a quote from the
cart; staff on a desktop set a quoted price in the admin; once sent (its PDF rendered), the buyer
sees list and quoted prices with the discount and accepts it into an order.

Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshots into docs/screenshots/ (quote-*.png).
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from orders.models import Quote
from orders.services import quotes
from tests.accounts.portal_support import PASSWORD
from tests.browser.conftest import DESKTOP
from tests.browser.test_shop import PHONE, shot
from tests.orders.quotes_support import make_quote_shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def seed() -> dict:
    shop = make_quote_shop()
    shop.anna.set_password(PASSWORD)
    shop.anna.save(update_fields=["password"])
    User.objects.create_user(
        email="boss.quotes@example.com", password=PASSWORD, is_staff=True, is_superuser=True
    )
    return {"buyer": shop.anna.email}


def send_the_quote() -> str:

    quote = Quote.objects.get()
    quotes.send_quote(quote=quote)
    return quote.number


def test_a_buyer_asks_staff_price_and_send_the_buyer_accepts(
    live_server, chromium_browser, in_thread, tmp_path, eager_celery, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    data = in_thread(seed)
    base = live_server.url

    phone = chromium_browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    phone.set_default_timeout(15_000)
    page = phone.new_page()
    desk = chromium_browser.new_context(viewport=DESKTOP, locale="en-GB")
    desk.set_default_timeout(15_000)
    admin = desk.new_page()
    try:
        page.goto(f"{base}/en/account/login/?next=/en/cart/")
        page.get_by_label("E-mail address").fill(data["buyer"])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/en/cart/$"))
        page.locator(".cart-quote summary").click()
        page.get_by_label("Your message to our sales team (optional)").fill("Delivery before Easter, please.")
        shot(page, tmp_path, "quote-cart-phone")
        page.get_by_role("button", name="Send the quote request").click()
        expect(page).to_have_url(re.compile(r"/en/account/quotes/Q\d{4}-000001/$"))
        expect(page.locator("body")).to_contain_text("preparing your quote")
        shot(page, tmp_path, "quote-requested-phone")

        admin.goto(f"{base}/admin/login/?next=/admin/orders/quote/")
        admin.fill("#id_username", "boss.quotes@example.com")
        admin.fill("#id_password", PASSWORD)
        admin.click("input[type=submit]")
        admin.wait_for_url(re.compile(r"/admin/orders/quote/$"))
        admin.locator("#result_list tbody th a").first.click()
        admin.fill("#id_lines-0-quoted_unit_price", "7.50")
        admin.fill("#id_staff_note", "Carriage paid; price held for 12 boxes and more.")
        shot(admin, tmp_path, "quote-admin-desktop")
        admin.click("input[name=_continue]")
        expect(admin.locator("#id_lines-0-quoted_unit_price")).to_have_value("7.5000")

        number = in_thread(send_the_quote)
        page.goto(f"{base}/en/account/quotes/{number}/")
        expect(page.locator("tr[data-sku=BOX]")).to_contain_text("7.50")
        expect(page.locator("tr[data-sku=BOX]")).to_contain_text("−25.0 %")
        expect(page.get_by_role("link", name=re.compile("Download PDF"))).to_be_visible()
        shot(page, tmp_path, "quote-sent-phone")

        page.get_by_label("Deliver or collect").select_option(label="Collect at Ajaccio")
        page.get_by_role("button", name=re.compile("Accept and order")).click()
        expect(page).to_have_url(re.compile(r"/en/account/orders/W\d{4}-\d{6}/$"))
        expect(page.locator("body")).to_contain_text(f"Quote {number} is accepted")
        shot(page, tmp_path, "quote-accepted-phone")
    finally:
        phone.close()
        desk.close()
