"""A business buyer's cart and checkout (issue 17): the company's prices with quantity breaks, the same
at checkout as in the cart, and each product's minimum and pack size enforced with a clear message."""

from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import Company, CompanyMember, CompanyRole, CustomerGroup
from inventory import services as inventory
from orders.errors import InvalidCartQuantity
from orders.models import CartLine, Order
from orders.services import cart as carts
from orders.services import checkout
from pricing.models import PriceList, PriceListEntry
from tests.factories import UserFactory
from tests.logistics.shop import ADDRESS, make_cart, make_shop

pytestmark = pytest.mark.django_db
URL = "/en/checkout/done/{number}/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def pro():
    shop = make_shop()
    inventory.receive_stock(variant=shop.tee, location=shop.warehouse, quantity=200, reference="PO-2")
    group = CustomerGroup.objects.create(code="pro", name="Pro", is_b2b=True)
    company = Company.objects.create(name="Rossi SAS", group=group)
    buyer = UserFactory(email="buyer@rossi.example")
    CompanyMember.objects.create(company=company, user=buyer, role=CompanyRole.BUYER)
    plist = PriceList.objects.create(code="rossi", name="Rossi", company=company)
    PriceListEntry.objects.create(price_list=plist, variant=shop.tee, price_ht=Decimal("9.0000"))
    PriceListEntry.objects.create(
        price_list=plist, variant=shop.tee, price_ht=Decimal("8.0000"), min_quantity=24
    )
    shop.tee.product.b2b_min_quantity, shop.tee.product.b2b_pack_size = 12, 6
    shop.tee.product.save()
    return shop, company, buyer


def test_the_cart_prices_a_buyer_at_the_company_break_and_a_shopper_at_the_catalog(pro):
    shop, _company, buyer = pro
    business = make_cart((shop.tee, 24), user=buyer)
    shopper = make_cart((shop.tee, 24), user=UserFactory())
    assert carts.price_cart(cart=business).lines[0].unit_net == Decimal("8.0000")  # from 24
    assert carts.price_cart(cart=shopper).lines[0].unit_net == Decimal("10.4150")
    CartLine.objects.filter(cart=business).update(quantity=18)
    assert carts.price_cart(cart=business).lines[0].unit_net == Decimal("9.0000")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (6, "The minimum order of TEE is 12 units (you asked for 6)."),
        (14, "TEE is sold by packs of 6: order 12 or 18 units, not 14."),
    ],
)
def test_a_buyer_adding_a_quantity_off_the_rules_is_told_why_and_nothing_changes(pro, quantity, message):
    shop, _company, buyer = pro
    cart = make_cart(user=buyer)
    with pytest.raises(InvalidCartQuantity) as refused:
        carts.add_to_cart(cart=cart, variant=shop.tee, quantity=quantity)
    assert str(refused.value.message) == message
    assert not CartLine.objects.filter(cart=cart).exists()


def test_a_buyer_cannot_lower_a_line_below_a_whole_pack_but_a_shopper_can(pro):
    shop, _company, buyer = pro
    cart = make_cart(user=buyer)
    carts.add_to_cart(cart=cart, variant=shop.tee, quantity=12)
    with pytest.raises(InvalidCartQuantity):
        carts.set_cart_line_quantity(cart=cart, variant=shop.tee, quantity=11)
    carts.set_cart_line_quantity(cart=cart, variant=shop.tee, quantity=18)
    assert CartLine.objects.get(cart=cart).quantity == 18
    shopper_cart = make_cart(user=UserFactory())
    carts.add_to_cart(cart=shopper_cart, variant=shop.tee, quantity=1)  # no rule for shoppers


def start(cart, user):
    return checkout.start_checkout(
        cart=cart, user=user, email=user.email, phone="+33 6 12 34 56 78", language="en",
        delivery_method="home", shipping_address=ADDRESS, carrier="colissimo", provider="test",
        return_url=URL, cancel_url=URL,
    )  # fmt: skip


def test_checkout_snapshots_the_company_break_price(pro):
    shop, _company, buyer = pro
    cart = make_cart((shop.tee, 24), user=buyer)
    order, _payment = start(cart, buyer)
    line = order.lines.get()
    assert (line.quantity, line.unit_price_net) == (24, Decimal("8.0000"))
    assert order.total_gross == carts.price_cart(cart=make_cart((shop.tee, 24), user=buyer)).total_gross


def test_checkout_refuses_a_cart_filled_before_its_owner_joined_a_company(pro):
    shop, company, _buyer = pro
    late = UserFactory(email="late@rossi.example")
    cart = make_cart((shop.tee, 5), user=late)  # a shopper's cart, then the shopper joins the company
    CompanyMember.objects.create(company=company, user=late)
    with pytest.raises(InvalidCartQuantity):
        start(cart, late)
    assert Order.objects.count() == 0
