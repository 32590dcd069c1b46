"""A company's buyer on a phone, end to end (issue 17): uploads a CSV quick order, sees the cart HT,
checks out on account; the order is above the company's approval limit, so it waits; the company's
approver, in another browser, approves it; the buyer's order then stands approved on terms, its
items still reserved, with a due date.

Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshots into docs/screenshots/ (b2b-walk-*.png).
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import CompanyMember, CompanyRole, PaymentTerms
from orders.models import Approval, Order
from tests.accounts.portal_support import PASSWORD
from tests.browser.test_shop import PHONE, shot
from tests.factories import UserFactory
from tests.orders.quick_order_support import make_b2b_shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def seed() -> tuple[str, str]:
    shop = make_b2b_shop()
    rossi = shop.rossi
    rossi.payment_terms = PaymentTerms.NET_30_EOM
    rossi.credit_limit = Decimal("100000")
    rossi.approval_limit = Decimal("10")  # every order of this walk needs the approver
    rossi.save()
    approver = UserFactory(email="dora@example.com")
    CompanyMember.objects.create(company=rossi, user=approver, role=CompanyRole.APPROVER)
    for user in (shop.anna, approver):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return shop.anna.email, approver.email


def the_order() -> dict:
    order = Order.objects.get()
    return {
        "number": order.number,
        "approval": order.approval,
        "terms": order.payment_terms,
        "due": order.due_date,
        "reserved": sum(line.reservation is not None for line in order.lines.all()),
        "skus": sorted(line.sku for line in order.lines.all()),
    }


def sign_in(page, base: str, email: str, next_url: str) -> None:
    page.goto(f"{base}/en/account/login/?next={next_url}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


def test_csv_quick_order_then_approval_then_terms(live_server, chromium_browser, in_thread, tmp_path):
    buyer_email, approver_email = in_thread(seed)
    csv = tmp_path / "order.csv"
    csv.write_text("SKU;Quantity\nBOX;12\nMUG;10\n", encoding="utf-8")

    buyer = chromium_browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    buyer.set_default_timeout(10_000)
    page = buyer.new_page()
    approver = chromium_browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    approver.set_default_timeout(10_000)
    try:
        sign_in(page, live_server.url, buyer_email, "/en/account/quick-order/")
        page.locator("#quick-order-file").set_input_files(str(csv))
        page.get_by_role("button", name="Upload and add to cart").click()
        expect(page).to_have_url(re.compile(r"/en/cart/$"))
        expect(page.get_by_text("2 products added to your cart.")).to_be_visible()
        expect(page.locator("[data-prices-ht]")).to_contain_text("Total excl. VAT")
        expect(page.locator(".cart-line")).to_have_count(2)
        shot(page, tmp_path, "b2b-walk-cart")

        page.get_by_role("link", name="Checkout").first.click()
        expect(page).to_have_url(re.compile(r"/en/checkout/$"))
        page.locator("input[name=delivery_method][value=click_collect]").check()
        terms = page.locator("input[name=provider][value=terms]")
        expect(page.locator("label.choice:has(input[value=terms])")).to_contain_text(
            "On account: 30 days end of month"
        )
        terms.check()
        expect(page.locator("button[name=action][value=pay]")).to_contain_text("Order on account €264.00")
        page.locator("input[name=provider][value=test]").check()
        expect(page.locator("button[name=action][value=pay]")).to_contain_text("Pay €264.00")
        terms.check()
        shot(page, tmp_path, "b2b-walk-checkout")
        page.locator("button[name=action][value=pay]").click()
        expect(page.locator("body")).to_contain_text("Waiting for your company")
        placed = in_thread(the_order)
        assert placed["approval"] == Approval.PENDING and placed["skus"] == ["BOX", "MUG"]
        assert placed["reserved"] == 2  # held while the approver decides
        shot(page, tmp_path, "b2b-walk-waiting")

        boss = approver.new_page()
        sign_in(boss, live_server.url, approver_email, "/en/account/approvals/")
        row = boss.locator(f"[data-approval='{placed['number']}']")
        expect(row).to_contain_text("on account")
        expect(row.locator(".approval__lines li")).to_have_count(2)  # what the approver approves
        expect(row).to_contain_text("€220.00 excl. VAT")
        shot(boss, tmp_path, "b2b-walk-approvals")
        row.get_by_role("button", name="Approve").click()
        expect(boss.locator("body")).to_contain_text(f"Order {placed['number']} is approved.")
        expect(boss.locator(f"[data-approval='{placed['number']}']")).to_have_count(0)

        decided = in_thread(the_order)
        assert decided["approval"] == Approval.APPROVED
        assert decided["terms"] == PaymentTerms.NET_30_EOM and decided["due"] is not None
        assert decided["reserved"] == 2

        page.goto(f"{live_server.url}/en/account/orders/")
        expect(page.locator("body")).to_contain_text(placed["number"])
        shot(page, tmp_path, "b2b-walk-orders")
    finally:
        buyer.close()
        approver.close()
