"""A customer's standing benefits (``pricing.CustomerBenefit``, a loyalty tier's) on the web: the
permanent discount as its own line, spread over the order lines like other discounts; free
delivery; early access to promotions. The order, its payment and its lines agree to the cent."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from orders.models import DeliveryMethod
from orders.services import cart as cart_services
from orders.services import checkout
from payments.models import Payment
from pricing import services as pricing
from pricing.errors import InvalidCoupon
from pricing.models import Channel, Coupon, DiscountKind, Promotion
from tests.factories import UserFactory
from tests.logistics.shop import ADDRESS, make_cart, make_coupon, make_shop

D = Decimal
pytestmark = pytest.mark.django_db
URL = "/en/checkout/done/{number}/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop():
    return make_shop()


def gold(user, *, percent="5", free_shipping=True, early_access=True):
    pricing.set_customer_benefit(
        customer_id=user.pk,
        discount_percent=D(percent),
        free_shipping=free_shipping,
        early_access=early_access,
        source="loyalty tier gold",
        label="Gold",
    )


def start(cart, user, **kwargs):
    args = {
        "user": user,
        "email": user.email,
        "phone": "",
        "language": "en",
        "delivery_method": DeliveryMethod.HOME,
        "shipping_address": ADDRESS,
        "carrier": "colissimo",
        "provider": "test",
        "return_url": URL,
        "cancel_url": URL,
    }
    return checkout.start_checkout(cart=cart, **{**args, **kwargs})


def test_member_discount_is_its_own_line_in_the_cart(shop):
    user = UserFactory(email="gold@example.com")
    gold(user)
    priced = cart_services.price_cart(cart=make_cart((shop.tee, 2), (shop.mug, 1), user=user))
    # 31.00 - 5 % = 1.55 -> 29.45
    assert (priced.subtotal_gross, priced.member_discount, priced.total_gross) == (
        D("31.00"),
        D("1.55"),
        D("29.45"),
    )
    assert priced.member_label == "Gold member −5 %"
    assert priced.free_shipping is True
    assert sum(line.discount_gross for line in priced.lines) == D("1.55")
    # the same cart without the benefit, or anonymous: nothing
    anonymous = cart_services.price_cart(cart=make_cart((shop.tee, 2), (shop.mug, 1)))
    assert (anonymous.member_discount, anonymous.free_shipping, anonymous.total_gross) == (
        D("0"),
        False,
        D("31.00"),
    )


def test_member_discount_then_coupon_in_the_placed_order_and_its_payment(shop):
    user = UserFactory(email="gold@example.com")
    gold(user, free_shipping=False)
    make_coupon("TEN", "10")
    cart = make_cart((shop.tee, 2), (shop.mug, 1), user=user, coupon_code="TEN")
    order, _ = start(cart, user)
    # 31.00; gold 5 % = 1.55 -> 29.45; coupon 10 % of 29.45 = 2.95 (rounded) -> 26.50; delivery 7.90
    assert order.discount_gross == D("4.50")
    lines = list(order.lines.order_by("id"))
    assert sum(line.discount_gross for line in lines) == D("4.50")
    assert sum(line.total_gross for line in lines) == D("26.50")
    assert (order.shipping_gross, order.total_gross) == (D("7.90"), D("34.40"))
    assert Payment.objects.get(order=order).amount == D("34.40")
    assert order.total_net + order.total_vat == order.total_gross


def test_free_shipping_benefit_in_options_and_order(shop):
    user = UserFactory(email="gold@example.com")
    gold(user, percent="0")
    cart = make_cart((shop.tee, 1), user=user)
    options = checkout.delivery_options(cart=cart, country="FR")
    assert options.home.options and all(o.price == 0 and o.is_free for o in options.home.options)
    order, _ = start(cart, user)
    assert (order.shipping_gross, order.discount_gross, order.total_gross) == (
        D("0.00"),
        D("0.00"),
        D("12.50"),
    )
    assert Payment.objects.get(order=order).amount == D("12.50")


def _early_sale(**kwargs):
    now = timezone.now()
    return Promotion.objects.create(
        name="Winter sale",
        kind=DiscountKind.PERCENT,
        value=D("20"),
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=10),
        early_access_starts_at=now - dt.timedelta(hours=1),
        **kwargs,
    )


def test_early_access_opens_a_sale_before_it_starts_for_members_only(shop):
    _early_sale()
    member = UserFactory(email="gold@example.com")
    gold(member, percent="0", free_shipping=False)
    other = UserFactory(email="silver@example.com")
    assert cart_services.price_cart(cart=make_cart((shop.tee, 2), user=member)).promotion_discount == D(
        "5.00"
    )
    assert cart_services.price_cart(cart=make_cart((shop.tee, 2), user=other)).promotion_discount == D("0")
    assert cart_services.price_cart(cart=make_cart((shop.tee, 2))).promotion_discount == D("0")
    assert pricing.automatic_promotions(basket_ttc=D("25"), channel=Channel.STORE) == []


def test_early_access_coupon_valid_for_members_only(shop):
    promo = _early_sale(requires_coupon=True)
    Coupon.objects.create(code="EARLY", promotion=promo)
    member = UserFactory(email="gold@example.com")
    gold(member, percent="0", free_shipping=False)
    other = UserFactory(email="other@example.com")
    assert pricing.check_coupon(code="EARLY", basket_ttc=D("25"), channel=Channel.WEB, customer=member)
    with pytest.raises(InvalidCoupon) as exc:
        pricing.check_coupon(code="EARLY", basket_ttc=D("25"), channel=Channel.WEB, customer=other)
    assert exc.value.detail["reason"] == "not_started"


def test_cart_page_shows_the_member_line(shop, client):
    user = UserFactory(email="gold@example.com")
    gold(user)
    client.force_login(user)
    from orders.models import Cart

    make_cart((shop.tee, 2), user=user)
    assert Cart.objects.filter(user=user).exists()
    body = client.get("/en/cart/").content.decode()
    assert "Gold member −5 %" in body and "1.25" in body
