"""A shopper on a phone (390x844) taps the heart of a product: signed out, the login page brings them
back to the product; signed in, the heart fills and the product is in "My wishlist".

Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshots into docs/screenshots/ for the README.
"""

import re

import pytest
from playwright.sync_api import expect

from marketing.models import WishlistItem
from tests.accounts.portal_support import PASSWORD, shopper
from tests.browser.test_shop import phone_page, shot  # noqa: F401  (the phone fixture)
from tests.storefront.storefront_data import Shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def seed() -> str:
    shop = Shop()
    product = shop.tshirt("Calvi linen tee", price="20.0000", aja=2)
    shop.tshirt("Porto linen shirt", price="35.0000")  # out of stock
    shopper(email="lea@example.com")
    return product.slug


def test_the_heart_and_the_wishlist_page(live_server, phone_page, in_thread, tmp_path):  # noqa: F811
    slug = in_thread(seed)
    page = phone_page
    page.goto(f"{live_server.url}/en/p/{slug}/")
    heart = page.get_by_role("button", name="Add to my wishlist")
    heart.click()
    expect(page).to_have_url(re.compile(r"/en/account/login/\?next="))
    page.get_by_label("E-mail address").fill("lea@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/en/p/{slug}/$"))

    page.get_by_role("button", name="Add to my wishlist").click()
    expect(page).to_have_url(re.compile(rf"/en/p/{slug}/$"))
    filled = page.get_by_role("button", name="Remove from my wishlist")
    expect(filled).to_have_attribute("aria-pressed", "true")
    shot(page, tmp_path, "shop-product-wishlist")

    page.goto(f"{live_server.url}/en/p/tee-2/")
    page.get_by_role("button", name="Add to my wishlist").click()
    page.goto(f"{live_server.url}/en/account/wishlist/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My wishlist")
    expect(page.locator(".wishlist-row")).to_have_count(2)
    expect(page.locator(".wishlist")).to_contain_text("Calvi linen tee")
    expect(page.locator(".wishlist")).to_contain_text("Out of stock")
    shot(page, tmp_path, "portal-wishlist")
    assert in_thread(lambda: WishlistItem.objects.count()) == 2
