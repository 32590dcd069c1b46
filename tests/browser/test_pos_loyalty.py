"""Loyalty at the register (/pos/) in Debian's Chromium, served by uvicorn on PostgreSQL.

The cashier identifies a gold customer by their loyalty card: the panel shows the tier, the points
and the rewards, the total takes the member's 5 %; offline the panel says loyalty waits for the
network; "Apply reward" turns 100 points into a 5 EUR voucher and applies it; the sale completes and
the receipt prints the points earned and the new balance.

Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshot (docs/screenshots/pos-loyalty.png).
"""

import importlib
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory import services as stock
from inventory.models import LocationKind
from loyalty.models import EntryKind, LoyaltyAccount, PointsEntry
from orders.models import Order
from pricing.models import Coupon
from tests.browser.test_pos import new_tablet, open_register, scan, shot, sign_in  # noqa: F401  (fixture)
from tests.factories import LocationFactory, ProductFactory, UserFactory, VariantFactory, cashier

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,  # the cashier logs in to the uvicorn child process
    pytest.mark.django_db(transaction=True),
]

TABLET = {"width": 1024, "height": 768}
HERE = "PXL"  # a location code of our own: Redis pub/sub is shared with other test runs
SHIRT_EAN = "3760000000039"
CARD = "LC0000000888"


def seed() -> dict:
    """A store with a register and its cashier; a linen shirt at 12.00, honey; Gina, gold, 240 points."""
    from django.apps import apps
    from django.utils import timezone

    from accounts.models import CustomerProfile
    from loyalty import services as loyalty
    from loyalty.models import Tier
    from pos.models import Register
    from pricing import services as pricing

    # The default tiers and earn rule (a data migration's rows; a transactional test flushed them).
    importlib.import_module("loyalty.migrations.0002_default_tiers_and_rule").seed(apps, None)
    here = LocationFactory(code=HERE, name="Porto-Vecchio — Marina", kind=LocationKind.STORE)
    Register.objects.create(store=here, code="pxl-1", name="Caisse 1")
    shirt = VariantFactory(
        sku="LIN-SHIRT-L-BLU",
        ean13=SHIRT_EAN,
        product=ProductFactory(name="Chemise en lin bleue", base_price_ht=Decimal("10.00")),
    )
    honey = VariantFactory(
        sku="MIEL-CHATAIGNIER-250",
        ean13="3760000000046",
        product=ProductFactory(name="Miel de châtaignier 250 g", base_price_ht=Decimal("6.25")),
    )
    stock.receive_stock(variant=shirt, location=here, quantity=5, reference="PO-1")
    stock.receive_stock(variant=honey, location=here, quantity=5, reference="PO-1")
    till = cashier(here, email="lea@pos.example", first_name="Léa", preferred_language="en")
    gina = UserFactory(
        email="gina@example.com", first_name="Gina", last_name="Santoni", phone="06 11 22 33 44"
    )
    CustomerProfile.objects.create(user=gina, loyalty_card_number=CARD)
    gold = Tier.objects.get(code="gold")
    loyalty.adjust(customer=gina, points=240, reason="opening balance", staff=None)
    LoyaltyAccount.objects.filter(customer=gina).update(tier=gold, tier_since=timezone.now())
    benefit = {
        "customer_id": gina.pk,
        "discount_percent": gold.discount_percent,
        "free_shipping": gold.free_shipping,
        "early_access": gold.early_access,
        "source": "loyalty tier gold",
    }
    if "label" in pricing.set_customer_benefit.__code__.co_varnames:  # the tier's name, when supported
        benefit["label"] = gold.name
    pricing.set_customer_benefit(**benefit)
    return {"cashier": till.email, "customer": gina.pk}


def test_till_identifies_a_gold_customer_applies_a_reward_and_prints_the_points(
    asgi_server,
    new_tablet,  # noqa: F811  (test_pos's fixture)
    in_thread,
    tmp_path,
):
    users = in_thread(seed)
    context = new_tablet()
    page = context.new_page()
    page.set_viewport_size(TABLET)
    sign_in(page, asgi_server.base_url, users["cashier"])
    open_register(page, "pxl-1", "100.00")

    scan(page, SHIRT_EAN)
    scan(page, SHIRT_EAN)
    expect(page.locator("#t-total")).to_have_text(re.compile(r"24[.,]00"))

    # Identify Gina by her loyalty card.
    page.locator('[data-action="customer"]').click()
    page.fill("#customer-q", CARD)
    page.get_by_role("button", name="Search").click()
    page.locator("#customer-results .result").first.click()
    panel = page.locator("#loyalty")
    expect(panel).to_be_visible()
    expect(panel.locator(".tier-badge")).to_have_text("Gold")
    expect(page.locator("#loyalty-points")).to_have_text("240 points")
    expect(page.locator("#loyalty-rewards")).to_contain_text("2 rewards available")
    expect(page.locator("#loyalty-benefits")).to_contain_text("5 % off every purchase")
    # The member's 5 %: 24.00 - 1.20 = 22.80.
    member = page.locator("#promos .promo--member")
    expect(member).to_contain_text("−5 %")
    expect(member).to_contain_text(re.compile(r"1[.,]20"))
    expect(page.locator("#t-total")).to_have_text(re.compile(r"22[.,]80"))

    # Offline, loyalty says it waits for the network; back online the panel comes back.
    context.set_offline(True)
    expect(page.locator("#loyalty-offline")).to_be_visible()
    expect(page.locator("#loyalty-apply")).to_have_count(0)
    context.set_offline(False)
    expect(page.locator("#loyalty-apply")).to_be_enabled()

    # Apply a reward: 100 points become a 5.00 voucher, applied to the sale.
    page.locator("#loyalty-apply").click()
    expect(page.locator("#coupon-state")).to_contain_text(re.compile(r"PTS-"))
    expect(page.locator("#loyalty-points")).to_have_text("140 points")
    expect(page.locator("#loyalty-vouchers .voucher.is-applied")).to_have_count(1)
    expect(page.locator("#t-total")).to_have_text(re.compile(r"17[.,]80"))  # 22.80 - 5.00
    expect(page.locator("#toast")).to_be_hidden(timeout=5_000)
    shot(page, tmp_path, "pos-loyalty")
    assert page.locator("#pay-button").bounding_box()["y"] + 64 <= TABLET["height"]

    code = page.locator("#coupon").input_value()
    coupon = in_thread(lambda: Coupon.objects.select_related("customer").get(code=code))
    assert coupon.customer_id == users["customer"]

    page.locator("#pay-button").click()
    page.fill("#tender-amount", "20.00")
    page.locator('[data-tender="cash"]').click()
    expect(page.locator("#p-change")).to_have_text(re.compile(r"2[.,]20"))
    page.locator("#complete").click()
    done = page.locator("#done")
    expect(done).to_be_visible()
    number = done.get_attribute("data-number")

    def check():
        order = Order.objects.get(number=number)
        earn = PointsEntry.objects.get(order=order, kind=EntryKind.EARN)
        balance = LoyaltyAccount.objects.get(customer_id=users["customer"]).balance
        return order.total_gross, order.discount_gross, earn.points, balance

    # 17.80 x 1.25 (gold) = 22.25: 22 points; 240 - 100 + 22 = 162.
    assert in_thread(check) == (Decimal("17.80"), Decimal("6.20"), 22, 162)

    with page.expect_popup() as popup:
        page.locator("#done-receipt").click()
    receipt = popup.value
    receipt.wait_for_load_state()
    body = receipt.locator("body")
    expect(body).to_contain_text("−5 %")
    expect(body).to_contain_text("Loyalty points")
    expect(receipt.locator(".ticket__loyalty")).to_contain_text("+22")
    expect(receipt.locator(".ticket__loyalty")).to_contain_text("162")
    expect(receipt.locator(".ticket__total").first).to_contain_text(re.compile(r"17[.,]80"))
    receipt.close()
