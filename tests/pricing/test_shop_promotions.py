"""Promotions of some shops (issue 17): a promotion limited to shop A applies on shop A only, never on
shop B nor at the till (no shop); a promotion of no shop applies everywhere. Its coupon is refused
elsewhere with the reason ``wrong_shop``, and nothing is used."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pricing import services
from pricing.errors import InvalidCoupon
from pricing.models import Channel, Coupon, CouponRedemption, DiscountKind, Promotion
from shops.models import Shop

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 12, 0))


@pytest.fixture
def shops():
    return Shop.objects.create(code="shop-a", name="A"), Shop.objects.create(code="shop-b", name="B")


def promotion(name, *shops, **kwargs) -> Promotion:
    made = Promotion.objects.create(
        name=name,
        kind=DiscountKind.PERCENT,
        value=Decimal(kwargs.pop("value", "10")),
        starts_at=NOW - dt.timedelta(days=1),
        ends_at=NOW + dt.timedelta(days=1),
        **kwargs,
    )
    made.shops.set(shops)
    return made


def automatic(shop_id, channel=Channel.WEB):
    found = services.automatic_promotions(basket_ttc=Decimal("100"), channel=channel, at=NOW, shop_id=shop_id)
    return [p.name for p in found]


def test_a_promotion_of_one_shop_applies_there_only(shops):
    a, b = shops
    promotion("A only", a, value="30")
    promotion("A and B", a, b, value="20")
    promotion("Everywhere", value="5")
    assert automatic(a.pk) == ["A only", "A and B", "Everywhere"]  # once each, best first
    assert automatic(b.pk) == ["A and B", "Everywhere"]
    assert automatic(None, Channel.STORE) == ["Everywhere"]  # the till has no shop


def test_a_coupon_of_another_shop_is_refused_and_nothing_is_used(shops):
    a, b = shops
    coupon = Coupon.objects.create(promotion=promotion("A code", a, requires_coupon=True), code="AONLY")
    found = services.check_coupon(
        code="aonly", basket_ttc=Decimal("50"), channel=Channel.WEB, at=NOW, shop_id=a.pk
    )
    assert found == coupon
    for shop_id in (b.pk, None):
        with pytest.raises(InvalidCoupon) as exc:
            services.redeem_coupon(
                code="AONLY", basket_ttc=Decimal("50"), reference="W-9", channel=Channel.WEB, at=NOW,
                shop_id=shop_id,
            )  # fmt: skip
        assert exc.value.detail == {"reason": "wrong_shop", "code": "AONLY"}
    coupon.refresh_from_db()
    assert coupon.times_used == 0
    assert not CouponRedemption.objects.exists()


def test_a_coupon_of_every_shop_is_valid_on_each(shops):
    a, b = shops
    Coupon.objects.create(promotion=promotion("All", requires_coupon=True), code="ALL")
    for shop_id in (a.pk, b.pk, None):
        assert services.check_coupon(code="ALL", basket_ttc=Decimal("50"), channel=Channel.WEB, at=NOW,
                                     shop_id=shop_id).code == "ALL"  # fmt: skip
