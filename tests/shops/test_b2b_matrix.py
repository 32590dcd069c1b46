"""The isolation matrix of issue 17: two shops x two companies. Each company's buyer orders on each
shop (four orders, every one waiting for approval); then, for every shop and every company, the
account pages, the approvals page and a decision show and touch only that company's order of that
shop, and the company's own price list is the only one its buyers get.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from accounts.models import Company, CompanyMember, CompanyRole, PaymentTerms
from inventory import services as inventory
from orders.models import Approval, Order
from orders.services import checkout
from pricing.models import PriceList, PriceListEntry
from shops import selectors as shop_selectors
from shops import services as shop_services
from tests.factories import UserFactory
from tests.logistics.shop import ADDRESS, make_cart, make_shop

from .conftest import A, B

pytestmark = pytest.mark.django_db
PASSWORD = "pass-1234-word"  # UserFactory's
URL = "/en/checkout/done/{number}/"
COMPANIES = ("rossi", "verdi")
HOSTS = (A, B)


@pytest.fixture
def world():
    shop = make_shop()
    inventory.receive_stock(variant=shop.tee, location=shop.warehouse, quantity=100, reference="PO-M")
    pro = shop_services.create_shop(code="pro", name="Maison Corse Pro", hosts=[B], mode="b2b")
    shops = {A: shop_selectors.default_shop().id, B: pro.pk}
    people, orders = {}, {}
    for code in COMPANIES:
        company = Company.objects.create(
            name=code.title(),
            payment_terms=PaymentTerms.NET_30,
            credit_limit=Decimal("10000"),
            approval_limit=Decimal("1"),  # every order waits for its approver
        )
        buyer = UserFactory(email=f"buyer@{code}.example")
        approver = UserFactory(email=f"boss@{code}.example")
        CompanyMember.objects.create(company=company, user=buyer, role=CompanyRole.BUYER)
        CompanyMember.objects.create(company=company, user=approver, role=CompanyRole.APPROVER)
        people[code] = (company, buyer, approver)
        for host in HOSTS:
            cart = make_cart((shop.tee, 2), user=buyer)
            cart.shop_id = shops[host]
            cart.save(update_fields=["shop"])
            with translation.override("en"):
                order, _ = checkout.start_checkout(
                    cart=cart, user=buyer, email=buyer.email, phone="+33 6 12 34 56 78", language="en",
                    delivery_method="home", shipping_address=ADDRESS, carrier="colissimo", provider="terms",
                    return_url=URL, cancel_url=URL,
                )  # fmt: skip
            orders[code, host] = order
    rossi_list = PriceList.objects.create(code="rossi", name="Rossi", company=people["rossi"][0])
    PriceListEntry.objects.create(price_list=rossi_list, variant=shop.tee, price_ht=Decimal("7.0000"))
    return shop, people, orders


def signed_in(host: str, user) -> Client:
    browser = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    response = browser.post("/en/account/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return browser


def test_every_order_landed_on_its_shop_and_waits(world):
    _shop, people, orders = world
    for (code, host), order in orders.items():
        order.refresh_from_db()
        expected = shop_selectors.default_shop() if host == A else shop_selectors.shop_for_host(B)
        assert order.shop_id == expected.id and expected.id is not None
        assert (order.company_id, order.approval) == (people[code][0].pk, Approval.PENDING)
    assert len({o.shop_id for o in orders.values()}) == 2


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("code", COMPANIES)
def test_the_account_shows_only_this_company_order_of_this_shop(world, code, host):
    _shop, people, orders = world
    _company, buyer, _approver = people[code]
    browser = signed_in(host, buyer)
    listing = browser.get("/en/account/orders/").content.decode()
    for (other_code, other_host), order in orders.items():
        mine = (other_code, other_host) == (code, host)
        assert (order.number in listing) is mine, (other_code, other_host)
        detail = browser.get(f"/en/account/orders/{order.number}/")
        assert detail.status_code == (200 if mine else 404), (other_code, other_host)


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("code", COMPANIES)
def test_an_approver_sees_and_decides_only_this_company_order_of_this_shop(world, code, host):
    _shop, people, orders = world
    _company, _buyer, approver = people[code]
    browser = signed_in(host, approver)
    page = browser.get("/en/account/approvals/").content.decode()
    for key, order in orders.items():
        assert (order.number in page) is (key == (code, host)), key
    for key, order in orders.items():
        if key == (code, host):
            continue
        answer = browser.post(f"/en/account/approvals/{order.number}/", {"decision": "approve"})
        assert answer.status_code in (302, 404), key
        order.refresh_from_db()
        assert order.approval == Approval.PENDING, key  # untouched
    done = browser.post(f"/en/account/approvals/{orders[code, host].number}/", {"decision": "approve"})
    assert done.status_code == 302
    assert Order.objects.get(pk=orders[code, host].pk).approval == Approval.APPROVED
    assert Order.objects.filter(approval=Approval.APPROVED).count() == 1


@pytest.mark.parametrize("host", HOSTS)
def test_a_company_list_prices_only_its_own_buyers_on_every_shop(world, host):
    shop, people, _orders = world
    url = f"/en/p/{shop.tee.product.slug}/"
    rossi = signed_in(host, people["rossi"][1]).get(url).content.decode()
    verdi = signed_in(host, people["verdi"][1]).get(url).content.decode()
    assert "€7.00" in rossi and "€7.00" not in verdi


def test_a_quote_asked_on_one_shop_shows_only_there(world):
    from orders.services import quotes

    shop, people, _orders = world
    _company, buyer, _approver = people["rossi"]
    cart = make_cart((shop.tee, 3), user=buyer)
    cart.shop_id = shop_selectors.shop_for_host(B).id
    cart.save(update_fields=["shop"])
    quote = quotes.request_quote(cart=cart, user=buyer, message="")
    on_b, on_a = signed_in(B, buyer), signed_in(A, buyer)
    assert quote.number in on_b.get("/en/account/quotes/").content.decode()
    assert quote.number not in on_a.get("/en/account/quotes/").content.decode()
    assert on_a.get(f"/en/account/quotes/{quote.number}/").status_code == 404
    assert on_b.get(f"/en/account/quotes/{quote.number}/").status_code == 200
    assert signed_in(B, people["verdi"][1]).get(f"/en/account/quotes/{quote.number}/").status_code == 404
