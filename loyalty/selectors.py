"""Loyalty reads for the API, the portal, the admin and ``check_loyalty``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

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
