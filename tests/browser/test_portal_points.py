"""A gold customer on a phone (390x844) opens "My points": tier, balance, progress to platinum, the
voucher their points became and the history, as the ledger says.

Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshot into docs/screenshots/ for the README.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from loyalty import services as loyalty
from loyalty.models import LoyaltyAccount, Tier
from tests.accounts.portal_support import PASSWORD, shopper
from tests.browser.test_shop import phone_page, shot  # noqa: F401  (the phone fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def seed() -> str:
    """Gold (the default tiers are re-seeded: a transactional test's flush removed them), 340 points,
    100 of them turned into a voucher."""
    Tier.objects.update_or_create(
        code="gold",
        defaults={
            "name": "Gold",
            "rank": 2,
            "threshold_eur": Decimal("800"),
            "discount_percent": Decimal("5"),
        },
    )
    Tier.objects.update_or_create(
        code="platinum", defaults={"name": "Platinum", "rank": 3, "threshold_eur": Decimal("2000")}
    )
    user = shopper(email="gina@example.com", first_name="Gina")
    loyalty.adjust(customer=user, points=340, reason="Points from the old card", staff=None, key="old-card")
    LoyaltyAccount.objects.filter(customer=user).update(tier=Tier.objects.get(code="gold"))
    return loyalty.convert_points_to_voucher(customer=user, key="portal-test").code


def test_the_portal_shows_the_points(live_server, phone_page, in_thread, tmp_path):  # noqa: F811
    code = in_thread(seed)
    page = phone_page
    page.goto(f"{live_server.url}/en/account/login/?next=/en/account/loyalty/")
    page.get_by_label("E-mail address").fill("gina@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/en/account/loyalty/$"))

    expect(page.get_by_role("heading", level=1)).to_have_text("My points")
    expect(page.locator("#loyalty-balance")).to_have_text("240 points")
    expect(page.locator(".loyalty-summary__tier")).to_contain_text("Gold")
    expect(page.locator(".loyalty-vouchers")).to_contain_text(code)
    expect(page.locator(".points-history")).to_contain_text("Points from the old card")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    shot(page, tmp_path, "portal-points")
