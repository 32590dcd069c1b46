"""A loyalty voucher used at a web checkout: its points come back once when the order is cancelled;
the cart page's "Use 100 points" converts and applies it in one click; tier changes grant and take
back the tier's benefits (``pricing.CustomerBenefit``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from loyalty import services
from loyalty.models import EntryKind, LoyaltyAccount, PointsEntry, Tier
from loyalty.selectors import ledger_mismatches
from orders.models import Cart, DeliveryMethod, OrderStatus
from orders.services import after_sales, checkout
from pricing import services as pricing
from pricing.models import Coupon, CouponOrigin, CouponRedemption
from tests.factories import UserFactory, staff
from tests.logistics.shop import ADDRESS, make_cart, make_shop

D = Decimal
pytestmark = pytest.mark.django_db
URL = "/en/checkout/done/{number}/"


@pytest.fixture
def web_shop(db):
    return make_shop()


def balance(user) -> int:
    return LoyaltyAccount.objects.get(customer=user).balance


def place(cart, user):
    order, _ = checkout.start_checkout(
        cart=cart,
        user=user,
        email=user.email,
        phone="",
        language="en",
        delivery_method=DeliveryMethod.HOME,
        shipping_address=ADDRESS,
        carrier="colissimo",
        provider="test",
        return_url=URL,
        cancel_url=URL,
    )
    checkout.confirm_test_payment(order=order)
    order.refresh_from_db()
    return order


def test_cancelled_order_gives_the_voucher_points_back_once(web_shop):
    user = UserFactory(email="lea@example.com")
    services.adjust(customer=user, points=150, reason="welcome", staff=staff())
    voucher = services.convert_points_to_voucher(customer=user, key="v1")
    assert balance(user) == 50
    order = place(make_cart((web_shop.tee, 2), user=user, coupon_code=voucher.code), user)
    assert order.status == OrderStatus.PAID
    # 25.00 - 5.00 voucher + 5.90 delivery (Colissimo, 20.00 basket)
    assert (order.discount_gross, order.total_gross) == (D("5.00"), D("25.90"))
    assert CouponRedemption.objects.get(coupon=voucher).reference == order.number

    after_sales.cancel_order(order=order, lines=None, user=None, reason="changed mind")

    back = PointsEntry.objects.get(source_key=f"refund-voucher:{voucher.pk}")
    assert (back.kind, back.points, back.coupon_id, back.order_id) == (
        EntryKind.REVERSE,
        100,
        voucher.pk,
        order.pk,
    )
    assert balance(user) == 150
    # seen again (the refund event, a replay): nothing more
    assert services.give_back_voucher_points(order_id=order.pk) == [back]
    assert balance(user) == 150
    assert ledger_mismatches()[0] == []
    voucher.refresh_from_db()
    assert voucher.times_used == 1  # the voucher stays used: the points are what came back


def test_an_order_with_a_staff_coupon_gives_no_points_back(web_shop):
    from tests.logistics.shop import make_coupon

    user = UserFactory(email="lea@example.com")
    services.adjust(customer=user, points=10, reason="welcome", staff=staff())
    make_coupon("TEN", "10")
    order = place(make_cart((web_shop.tee, 2), user=user, coupon_code="TEN"), user)
    after_sales.cancel_order(order=order, lines=None, user=None, reason="changed mind")
    assert balance(user) == 10
    assert not PointsEntry.objects.filter(source_key__startswith="refund-voucher:").exists()


def test_tier_upgrade_and_downgrade_set_and_take_back_the_benefit(customer, shop, till_sale, till_return):
    gold = Tier.objects.get(code="gold")
    order = till_sale(customer, [("TEE", 50), ("BOOK", 20)], [("cash", "836.00")])  # >= gold's 800
    account = LoyaltyAccount.objects.get(customer=customer)
    assert account.tier == gold
    benefit = pricing.customer_benefit(customer)
    assert (benefit.discount_percent, benefit.free_shipping, benefit.early_access) == (D("5.00"), True, False)
    assert (benefit.source, benefit.label) == ("loyalty tier gold", "Gold")
    # the tier welcome coupon, once
    welcome = Coupon.objects.get(origin=CouponOrigin.TIER_WELCOME)
    assert (welcome.customer_id, welcome.source_key, welcome.max_uses) == (
        customer.pk,
        f"tier-welcome:{customer.pk}:gold",
        1,
    )
    # below gold, after the grace: silver, whose benefit is nothing
    till_return(order, [("TEE", 30)])
    now = timezone.now()
    services.reevaluate_tiers(now=now)
    services.reevaluate_tiers(now=now + dt.timedelta(days=60))
    account.refresh_from_db()
    assert account.tier.code == "silver"
    assert pricing.customer_benefit(customer) == pricing.NO_BENEFIT
    # staff edit a tier's benefit: the nightly review brings every member's in line
    Tier.objects.filter(code="silver").update(discount_percent=D("2.00"))
    services.reevaluate_tiers(now=now + dt.timedelta(days=61))
    assert pricing.customer_benefit(customer).discount_percent == D("2.00")
    assert Coupon.objects.filter(origin=CouponOrigin.TIER_WELCOME).count() == 1  # gold's only


def test_cart_page_use_points_converts_and_applies_in_one_click(web_shop, client):
    user = UserFactory(email="lea@example.com")
    services.adjust(customer=user, points=230, reason="welcome", staff=staff())
    make_cart((web_shop.tee, 2), user=user)
    client.force_login(user)
    with translation.override("en"):
        page = client.get("/en/cart/").content.decode()
    assert "Use 100 points: €5.00 off" in page
    nonce = re.search(r'name="nonce" value="([0-9a-f]{32})"', page).group(1)

    response = client.post("/en/cart/points/", {"nonce": nonce})
    assert response.status_code == 302
    again = client.post("/en/cart/points/", {"nonce": nonce})  # a double click: the same voucher
    assert again.status_code == 302

    voucher = Coupon.objects.get(origin=CouponOrigin.LOYALTY_REWARD)
    assert Cart.objects.get(user=user).coupon_code == voucher.code
    assert balance(user) == 130
    page = client.get("/en/cart/").content.decode()
    assert f"Coupon <strong>{voucher.code}</strong> applied." in page
    assert "€20.00" in page  # 25.00 - 5.00


def test_cart_use_points_refused_writes_nothing(web_shop, client):
    user = UserFactory(email="lea@example.com")
    services.adjust(customer=user, points=99, reason="welcome", staff=staff())
    make_cart((web_shop.tee, 1), user=user)
    client.force_login(user)
    response = client.post("/en/cart/points/", {"nonce": "a" * 32}, follow=True)
    assert "Not enough points." in response.content.decode()
    assert balance(user) == 99 and not Coupon.objects.exists()
    # a forged nonce, or an anonymous shopper: refused, nothing written
    client.post("/en/cart/points/", {"nonce": "<script>"})
    client.logout()
    client.post("/en/cart/points/", {"nonce": "b" * 32})
    assert not Coupon.objects.exists() and balance(user) == 99


def test_portal_lists_rewards_and_vouchers(web_shop, client):
    user = UserFactory(email="lea@example.com")
    services.adjust(customer=user, points=250, reason="welcome", staff=staff())
    voucher = services.convert_points_to_voucher(customer=user, key="p")
    client.force_login(user)
    body = client.get("/en/account/loyalty/").content.decode()
    assert voucher.code in body
    assert "1 reward available now." in body
    assert "My vouchers and coupons" in body
