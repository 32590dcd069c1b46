"""Tiers: upgrade on the earn that crosses the threshold (with its e-mail), downgrade only at night
after the grace period, and the multiplier of the tier on later earnings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from loyalty import services
from loyalty.models import LoyaltyAccount, PointsEntry, Tier

D = Decimal
pytestmark = pytest.mark.django_db


def account(user) -> LoyaltyAccount:
    return LoyaltyAccount.objects.select_related("tier").get(customer=user)


def test_upgrade_at_the_threshold_sends_one_email(
    customer, shop, till_sale, mailoutbox, django_capture_on_commit_callbacks, eager_celery
):
    # 15 tees = 187.50: below silver (200.00)
    till_sale(customer, [("TEE", 15)], [("cash", "187.50")])
    assert account(customer).tier is None
    # 2 mugs more = 199.50: still below
    till_sale(customer, [("MUG", 2)], [("cash", "12.00")])
    assert account(customer).tier is None
    mailoutbox.clear()
    # a tee (12.50) more takes the 12-month spend to 212.00: silver, and an e-mail after commit
    with django_capture_on_commit_callbacks(execute=True):
        till_sale(customer, [("TEE", 1)], [("cash", "12.50")])
    acc = account(customer)
    assert acc.tier is not None and acc.tier.code == "silver"
    assert acc.tier_since is not None
    upgrade_mails = [m for m in mailoutbox if "Silver" in m.subject]
    assert len(upgrade_mails) == 1
    assert upgrade_mails[0].to == ["ana@example.com"]


def test_tier_multiplier_applies_to_the_next_earning(customer, shop, till_sale):
    gold = Tier.objects.get(code="gold")
    LoyaltyAccount.objects.create(customer=customer, tier=gold, tier_since=timezone.now())
    order = till_sale(customer, [("TEE", 2)], [("cash", "25.00")])
    # 25.00 x 1 point x 1.25 (gold) = 31.25 -> 31
    assert PointsEntry.objects.get(order=order).points == 31


def test_a_return_never_downgrades_at_once_and_the_night_does_after_grace(
    settings, customer, shop, till_sale, till_return
):
    settings.LOYALTY_TIER_GRACE_DAYS = 30
    order = till_sale(customer, [("TEE", 17)], [("cash", "212.50")])
    assert account(customer).tier.code == "silver"
    till_return(order, [("TEE", 5)])  # spend now 150.00: below silver
    assert account(customer).tier.code == "silver"  # no downgrade on the return
    now = timezone.now()
    review = services.reevaluate_tiers(now=now)
    acc = account(customer)
    assert (review.in_grace, review.downgraded) == (1, 0)
    assert acc.tier.code == "silver"
    assert acc.grace_until == now + dt.timedelta(days=30)
    # one day before the end of the grace: still silver
    assert services.reevaluate_tiers(now=now + dt.timedelta(days=29)).downgraded == 0
    assert account(customer).tier.code == "silver"
    # after it: no tier
    review = services.reevaluate_tiers(now=now + dt.timedelta(days=30))
    acc = account(customer)
    assert review.downgraded == 1
    assert (acc.tier, acc.grace_until) == (None, None)


def test_spend_older_than_12_months_no_longer_counts(customer, shop, till_sale):
    till_sale(customer, [("TEE", 17)], [("cash", "212.50")])
    assert services.rolling_spend(customer_id=customer.pk, now=timezone.now()) == D("212.50")
    later = timezone.now() + dt.timedelta(days=366)
    assert services.rolling_spend(customer_id=customer.pk, now=later) == D("0.00")


def test_nightly_review_keeps_a_tier_whose_spend_came_back(customer, shop, till_sale, till_return):
    order = till_sale(customer, [("TEE", 17)], [("cash", "212.50")])
    till_return(order, [("TEE", 5)])
    now = timezone.now()
    services.reevaluate_tiers(now=now)
    assert account(customer).grace_until is not None
    till_sale(customer, [("TEE", 5)], [("cash", "62.50")])  # back above 200
    assert account(customer).grace_until is None
    assert services.reevaluate_tiers(now=now + dt.timedelta(days=60)).downgraded == 0
    assert account(customer).tier.code == "silver"
