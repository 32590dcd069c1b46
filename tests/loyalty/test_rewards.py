"""Points become a personal, single-use voucher: atomic, idempotent, refused without the points."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loyalty import selectors, services
from loyalty.errors import InsufficientPoints
from loyalty.models import EntryKind, LoyaltyAccount, PointsEntry
from pricing import services as pricing_services
from pricing.errors import InvalidCoupon
from pricing.models import Channel, Coupon, CouponOrigin, Promotion
from tests.factories import UserFactory, staff

D = Decimal
pytestmark = pytest.mark.django_db


def give(user, points: int) -> None:
    services.adjust(customer=user, points=points, reason="test", staff=staff())


def test_conversion_spends_the_points_and_makes_a_personal_single_use_voucher(settings):
    customer = UserFactory(email="conv@example.com")
    give(customer, 230)
    coupon = services.convert_points_to_voucher(customer=customer, key="k1")
    assert coupon.code.startswith("PTS-") and len(coupon.code) == 13
    assert (coupon.customer_id, coupon.origin, coupon.max_uses, coupon.times_used) == (
        customer.pk,
        CouponOrigin.LOYALTY_REWARD,
        1,
        0,
    )
    promo = coupon.promotion
    assert (promo.kind, promo.value, promo.requires_coupon, promo.channel) == (
        "fixed",
        D("5.00"),
        True,
        "any",
    )
    assert (promo.ends_at - promo.starts_at).days == settings.LOYALTY_REWARD_VALID_DAYS
    entry = PointsEntry.objects.get(kind=EntryKind.REDEEM)
    assert (entry.points, entry.coupon_id) == (-100, coupon.pk)
    assert LoyaltyAccount.objects.get(customer=customer).balance == 130
    # the selectors see it
    assert [c.pk for c in selectors.vouchers_held(customer_id=customer.pk)] == [coupon.pk]
    rewards = selectors.rewards_available(customer_id=customer.pk)
    assert (rewards.balance, rewards.count, rewards.reward_eur) == (130, 1, D(5))


def test_conversion_is_idempotent_on_its_key():
    customer = UserFactory(email="idem@example.com")
    give(customer, 250)
    first = services.convert_points_to_voucher(customer=customer, key="same")
    again = services.convert_points_to_voucher(customer=customer, key="same")
    assert first.pk == again.pk
    assert LoyaltyAccount.objects.get(customer=customer).balance == 150
    assert Coupon.objects.count() == 1 and Promotion.objects.count() == 1
    other = services.convert_points_to_voucher(customer=customer, key="other")
    assert other.pk != first.pk and other.code != first.code
    assert LoyaltyAccount.objects.get(customer=customer).balance == 50


def test_conversion_without_enough_points_writes_nothing():
    customer = UserFactory(email="poor@example.com")
    give(customer, 99)
    with pytest.raises(InsufficientPoints):
        services.convert_points_to_voucher(customer=customer, key="k")
    assert LoyaltyAccount.objects.get(customer=customer).balance == 99
    assert not Coupon.objects.exists() and not Promotion.objects.exists()
    assert not PointsEntry.objects.filter(kind=EntryKind.REDEEM).exists()


def test_the_voucher_is_refused_to_another_customer_and_to_anonymous_shoppers():
    owner = UserFactory(email="owner@example.com")
    thief = UserFactory(email="thief@example.com")
    give(owner, 100)
    coupon = services.convert_points_to_voucher(customer=owner, key="k")
    for who in (thief, None):
        with pytest.raises(InvalidCoupon) as exc:
            pricing_services.check_coupon(
                code=coupon.code, basket_ttc=D("30"), channel=Channel.WEB, customer=who
            )
        assert exc.value.detail["reason"] == "not_yours"
    assert (
        pricing_services.check_coupon(
            code=coupon.code, basket_ttc=D("30"), channel=Channel.STORE, customer=owner
        ).pk
        == coupon.pk
    )


def test_tier_progress_says_what_is_missing():
    customer = UserFactory(email="prog@example.com")
    progress = selectors.tier_progress(customer_id=customer.pk)
    assert progress.tier is None
    assert progress.next_tier is not None
    assert progress.missing_eur == progress.next_threshold_eur
