"""Loyalty reads for the API, the portal, the admin and ``check_loyalty``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from pricing import selectors as pricing_selectors
from pricing.models import Coupon, CouponOrigin

from .models import LoyaltyAccount, PointsEntry, Tier
from .services import ZERO, rolling_spend


@dataclass(frozen=True)
class AccountSummary:
    balance: int
    tier: Tier | None
    tier_since: object
    grace_until: object
    spend_12m: Decimal
    next_tier: Tier | None
    to_next_tier: Decimal  # EUR still to spend to reach next_tier (0 when at the top)
    progress_percent: int  # 0..100 between the current tier's threshold (or 0) and the next


def account_summary(*, customer_id: int) -> AccountSummary:
    account = LoyaltyAccount.objects.select_related("tier").filter(customer_id=customer_id).first()
    tier = account.tier if account else None
    spend = rolling_spend(customer_id=customer_id, now=timezone.now())
    floor = tier.threshold_eur if tier else ZERO
    next_tier = Tier.objects.filter(rank__gt=tier.rank if tier else -1).order_by("rank").first()
    if next_tier is None:
        to_next, progress = ZERO, 100
    else:
        to_next = max(next_tier.threshold_eur - spend, ZERO)
        span = next_tier.threshold_eur - floor
        progress = 100 if span <= 0 else int(max(min((spend - floor) / span * 100, Decimal(100)), Decimal(0)))
    return AccountSummary(
        balance=account.balance if account else 0,
        tier=tier,
        tier_since=account.tier_since if account else None,
        grace_until=account.grace_until if account else None,
        spend_12m=spend,
        next_tier=next_tier,
        to_next_tier=to_next,
        progress_percent=progress,
    )


@dataclass(frozen=True)
class RewardsAvailable:
    balance: int
    points_per_reward: int  # LOYALTY_REWARD_POINTS
    reward_eur: Decimal  # LOYALTY_REWARD_EUR, TTC
    count: int  # balance // points_per_reward: how many vouchers the points can become now

    @property
    def can_convert(self) -> bool:
        return self.count > 0


def rewards_available(*, customer_id: int) -> RewardsAvailable:
    """How many ``LOYALTY_REWARD_POINTS`` vouchers the customer's balance can become."""
    balance = (
        LoyaltyAccount.objects.filter(customer_id=customer_id).values_list("balance", flat=True).first() or 0
    )
    per = int(settings.LOYALTY_REWARD_POINTS)
    return RewardsAvailable(
        balance=balance,
        points_per_reward=per,
        reward_eur=Decimal(settings.LOYALTY_REWARD_EUR),
        count=balance // per if per > 0 else 0,
    )


def vouchers_held(*, customer_id: int) -> list[Coupon]:
    """The customer's personal coupons still usable now (unused, unexpired): point vouchers and the
    birthday, win-back and welcome coupons; soonest to expire first. Each has ``promotion`` loaded
    (``promotion.ends_at`` is the expiry, ``origin`` says where it came from)."""
    return pricing_selectors.usable_personal_coupons(customer_id=customer_id)


def point_vouchers_held(*, customer_id: int) -> list[Coupon]:
    """Only the vouchers the points became (``origin=loyalty_reward``)."""
    return [c for c in vouchers_held(customer_id=customer_id) if c.origin == CouponOrigin.LOYALTY_REWARD]


@dataclass(frozen=True)
class TierProgress:
    tier: Tier | None
    spend_12m: Decimal  # TTC, EUR, rolling 12 months
    next_tier: Tier | None  # None at the top
    next_threshold_eur: Decimal | None
    missing_eur: Decimal  # still to spend to reach next_tier (0 at the top)
    progress_percent: int


def tier_progress(*, customer_id: int) -> TierProgress:
    summary = account_summary(customer_id=customer_id)
    return TierProgress(
        tier=summary.tier,
        spend_12m=summary.spend_12m,
        next_tier=summary.next_tier,
        next_threshold_eur=summary.next_tier.threshold_eur if summary.next_tier else None,
        missing_eur=summary.to_next_tier,
        progress_percent=summary.progress_percent,
    )


@dataclass(frozen=True)
class CustomerOverview:
    """Everything a till or the portal shows about a customer's loyalty, in one call."""

    summary: AccountSummary
    progress: TierProgress
    rewards: RewardsAvailable
    vouchers: list[Coupon]


def customer_overview(*, customer_id: int) -> CustomerOverview:
    summary = account_summary(customer_id=customer_id)
    return CustomerOverview(
        summary=summary,
        progress=TierProgress(
            tier=summary.tier,
            spend_12m=summary.spend_12m,
            next_tier=summary.next_tier,
            next_threshold_eur=summary.next_tier.threshold_eur if summary.next_tier else None,
            missing_eur=summary.to_next_tier,
            progress_percent=summary.progress_percent,
        ),
        rewards=rewards_available(customer_id=customer_id),
        vouchers=vouchers_held(customer_id=customer_id),
    )


def history(*, customer_id: int) -> QuerySet[PointsEntry]:
    return (
        PointsEntry.objects.filter(customer_id=customer_id)
        .select_related("order")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class Mismatch:
    customer_id: int
    email: str
    balance: int | None  # None: ledger rows but no account
    ledger: int


def ledger_mismatches() -> tuple[list[Mismatch], int]:
    """Accounts whose balance is not the sum of their ledger (and ledgers without an account)."""
    sums = dict(
        PointsEntry.objects.values("customer_id")
        .annotate(total=Sum("points"))
        .values_list("customer_id", "total")
    )
    mismatches = []
    checked = 0
    for account in LoyaltyAccount.objects.select_related("customer").order_by("customer_id"):
        checked += 1
        ledger = sums.pop(account.customer_id, 0) or 0
        if ledger != account.balance:
            mismatches.append(Mismatch(account.customer_id, account.customer.email, account.balance, ledger))
    for customer_id, total in sorted(sums.items()):
        mismatches.append(Mismatch(customer_id, "", None, total or 0))
    return mismatches, checked


def accounts_matching(term: str) -> QuerySet[LoyaltyAccount]:
    return LoyaltyAccount.objects.filter(Q(customer__email__icontains=term)).select_related(
        "customer", "tier"
    )
