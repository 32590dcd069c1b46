"""A company's buyer and approver in the shop (issue 17): "on account" at checkout, the order
waiting for approval, the approver's page."""

from decimal import Decimal

import pytest

from accounts.models import Company, CompanyMember, CompanyRole, PaymentTerms
from orders.models import Approval, OrderStatus
from tests.factories import UserFactory
from tests.logistics.shop import ADDRESS, make_cart, make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def pro():
    shop = make_shop()
    company = Company.objects.create(
        name="Rossi SAS", payment_terms=PaymentTerms.NET_30_EOM, credit_limit=Decimal("1000"),
        approval_limit=Decimal("20"),
    )  # fmt: skip
    buyer, approver = UserFactory(email="buyer@rossi.example"), UserFactory(email="boss@rossi.example")
    CompanyMember.objects.create(company=company, user=buyer, role=CompanyRole.BUYER)
    CompanyMember.objects.create(company=company, user=approver, role=CompanyRole.APPROVER)
    return shop, company, buyer, approver


def checkout_form(**extra):
    return {
        "email": "buyer@rossi.example", "phone": "+33 6 12 34 56 78", "delivery_method": "home",
        "carrier": "colissimo", "country": "FR", "provider": "terms",
        "idempotency_key": "k-1", "action": "pay",
        **{k: v for k, v in ADDRESS.items() if k != "country"}, **extra,
    }  # fmt: skip


def test_a_buyer_orders_on_account_waits_and_the_approver_approves(client, pro):
    shop, _company, buyer, approver = pro
    cart = make_cart((shop.tee, 2), user=buyer)  # 25 € > 20 €: needs approval
    assert cart.user == buyer  # a signed-in buyer's open cart is theirs, no session token
    client.force_login(buyer)

    page = client.get("/en/checkout/").content.decode()
    assert "On account: 30 days end of month" in page

    response = client.post("/en/checkout/", checkout_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    order = buyer.orders.get()
    assert (order.status, order.approval) == (OrderStatus.PENDING_PAYMENT, Approval.PENDING)
    confirmation = client.get(response["Location"]).content.decode()
    assert "Waiting for your company" in confirmation, confirmation[confirmation.find("<h1") :][:300]

    assert client.get("/en/account/approvals/").status_code == 404  # a buyer approves nothing
    client.force_login(approver)
    listing = client.get("/en/account/approvals/").content.decode()
    assert order.number in listing and 'href="/en/account/approvals/"' in listing
    decided = client.post(f"/en/account/approvals/{order.number}/", {"decision": "approve"}, follow=True)
    assert f"Order {order.number} is approved." in decided.content.decode()
    order.refresh_from_db()
    assert (order.status, order.approval, order.due_date is not None) == (
        OrderStatus.PAID,
        Approval.APPROVED,
        True,
    )


def test_an_approver_of_another_company_gets_a_message_not_the_order(client, pro):
    shop, _company, buyer, _approver = pro
    from orders.services import checkout

    cart = make_cart((shop.tee, 2), user=buyer)
    order, _ = checkout.start_checkout(
        cart=cart, user=buyer, email=buyer.email, phone="", language="en", delivery_method="home",
        shipping_address=ADDRESS, carrier="colissimo", provider="terms", return_url="/", cancel_url="/",
    )  # fmt: skip
    stranger = UserFactory()
    CompanyMember.objects.create(
        company=Company.objects.create(name="Other"), user=stranger, role=CompanyRole.ADMIN
    )
    client.force_login(stranger)
    response = client.post(f"/en/account/approvals/{order.number}/", {"decision": "approve"}, follow=True)
    assert "Only an approver of Rossi SAS approves its orders." in response.content.decode()
    order.refresh_from_db()
    assert order.approval == Approval.PENDING


@pytest.mark.parametrize("url", ["/en/cart/", "/en/checkout/"])
def test_a_page_asks_for_the_buyer_company_once(client, pro, url):
    """The page's prices, the cart's prices and the checkout's terms share the request's user."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shop, _company, buyer, _approver = pro
    make_cart((shop.tee, 2), user=buyer)
    client.force_login(buyer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    asked = [q["sql"] for q in queries.captured_queries if 'FROM "accounts_companymember"' in q["sql"]]
    assert len(asked) == 1, asked
