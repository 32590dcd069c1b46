"""Loyalty writes: earning, reversing, adjusting and redeeming points, and tier changes.

Every writer locks the customer's ``LoyaltyAccount`` row (``select_for_update``) before it reads the
balance, appends one ``PointsEntry`` (its ``source_key`` is unique: a second call with the same key
returns the first entry and writes nothing) and moves the balance cache with it. Loyalty reads
orders and till returns; it never writes them.

Points: ``floor(sum(line TTC in EUR after discounts - refunded so far) x category multiplier x
points_per_euro x bonus multiplier x tier multiplier)``; shipping never earns. The same function
serves a web order and a till sale, so the same basket earns the same points on both channels.
Reversals are pro rata to the money given back, capped at what the order earned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import outbox
from orders.models import Channel, Order, OrderStatus
from orders.order_actions import OrderAction
from pos.returns_models import Return
from pricing import services as pricing_services
from pricing.models import Coupon, CouponOrigin

from .errors import CustomerNotFound, InsufficientPoints, InvalidPoints, KeyReused, ReasonRequired
from .models import CategoryMultiplier, EarnRule, EntryKind, LoyaltyAccount, PointsEntry, Tier

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
SPEND_WINDOW = dt.timedelta(days=365)


# --- accounts -------------------------------------------------------------------------------------


def _locked_account(customer_id: int) -> LoyaltyAccount:
    """The customer's account row, created if missing, locked until the transaction ends."""
    account = LoyaltyAccount.objects.select_for_update().filter(customer_id=customer_id).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            LoyaltyAccount.objects.create(customer_id=customer_id)
    except IntegrityError:
        pass  # another transaction created it: lock theirs
    return LoyaltyAccount.objects.select_for_update().get(customer_id=customer_id)


def _append(
    *,
    account: LoyaltyAccount,
    kind: str,
    points: int,
    source_key: str,
    spend_eur: Decimal = ZERO,
    order_id: int | None = None,
    reason: str = "",
    staff: User | None = None,
    coupon: Coupon | None = None,
) -> PointsEntry:
    entry = PointsEntry.objects.create(
        customer_id=account.customer_id,
        kind=kind,
        points=points,
        spend_eur=spend_eur,
        order_id=order_id,
        source_key=source_key,
        reason=reason[:250],
        staff=staff,
        coupon=coupon,
    )
    account.balance += points
    account.save(update_fields=["balance"])
    return entry


def _existing(source_key: str) -> PointsEntry | None:
    return PointsEntry.objects.filter(source_key=source_key).first()


# --- earning --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Earning:
    points: int
    spend_eur: Decimal  # TTC, EUR, after discounts and refunds, shipping excluded


def active_rule(*, at: dt.datetime | None = None) -> EarnRule | None:
    at = at or timezone.now()
    return EarnRule.objects.filter(active=True, valid_from__lte=at).order_by("-valid_from", "-id").first()


def compute_earning(*, order: Order, tier: Tier | None) -> Earning:
    """What ``order`` earns for a customer of ``tier``: one computation for web and till."""
    rule = active_rule(at=order.created_at)
    rate = order.exchange_rate if order.currency != "EUR" and order.exchange_rate else Decimal(1)
    multipliers: dict[int, Decimal] = {}
    if rule is not None:
        multipliers = dict(
            CategoryMultiplier.objects.filter(rule=rule).values_list("category_id", "multiplier")
        )
    spend = ZERO
    weighted = Decimal(0)
    for line in order.lines.select_related("variant__product").order_by("id"):
        line_eur = (line.total_gross / rate).quantize(CENT, ROUND_HALF_UP) - line.refunded_gross
        line_eur = max(line_eur, ZERO)
        spend += line_eur
        weighted += line_eur * multipliers.get(line.variant.product.category_id, Decimal(1))
    if rule is None:
        return Earning(points=0, spend_eur=spend)
    factor = rule.points_per_euro
    if (
        rule.bonus_starts_at is not None
        and rule.bonus_ends_at is not None
        and rule.bonus_starts_at <= order.created_at < rule.bonus_ends_at
    ):
        factor *= rule.bonus_multiplier
    if tier is not None:
        factor *= tier.earn_multiplier
    points = int((weighted * factor).to_integral_value(ROUND_FLOOR))
    return Earning(points=points, spend_eur=spend)


def earn_moment_reached(*, order: Order, event_name: str) -> bool:
    """Till: at the sale. Web: when ``LOYALTY_EARN_WEB_WHEN`` says ("delivered": delivered or
    collected; "paid": once paid)."""
    if order.channel == Channel.STORE:
        return event_name == "store_sale.completed"
    when = getattr(settings, "LOYALTY_EARN_WEB_WHEN", "delivered")
    if when == "paid":
        return event_name == "order.paid"
    return event_name in ("order.delivered", "order.collected")


@transaction.atomic
def earn_for_order(*, order_id: int) -> PointsEntry | None:
    """Credit the order's points to its customer (``earn:order:<id>``), once; then the tier may go up.
    None when there is nothing to credit (anonymous sale, cancelled order, no points)."""
    order = Order.objects.select_related("customer").get(pk=order_id)
    if order.customer_id is None or order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        return None
    key = f"earn:order:{order.pk}"
    account = _locked_account(order.customer_id)
    existing = _existing(key)
    if existing is not None:
        return existing
    earning = compute_earning(order=order, tier=account.tier)
    if earning.points <= 0:
        return None
    entry = _append(
        account=account,
        kind=EntryKind.EARN,
        points=earning.points,
        spend_eur=earning.spend_eur,
        order_id=order.pk,
        source_key=key,
        reason=order.number,
    )
    _upgrade_if_due(account=account, now=timezone.now())
    return entry


# --- reversing ------------------------------------------------------------------------------------


def _reverse(
    *, order_id: int, source_key: str, amount_eur: Decimal | None, reason: str
) -> PointsEntry | None:
    """Take back the points of ``order_id`` pro rata to ``amount_eur`` (None: all that is left)."""
    earn = PointsEntry.objects.filter(source_key=f"earn:order:{order_id}").first()
    if earn is None:
        return None  # never earned (not yet delivered, anonymous): the earning will see the refund
    account = _locked_account(earn.customer_id)
    existing = _existing(source_key)
    if existing is not None:
        return existing
    taken = PointsEntry.objects.filter(order_id=order_id, kind=EntryKind.REVERSE).aggregate(
        points=Sum("points"), spend=Sum("spend_eur")
    )
    points_left = earn.points + (taken["points"] or 0)
    spend_left = earn.spend_eur + (taken["spend"] or ZERO)
    if points_left <= 0:
        return None
    if amount_eur is None or earn.spend_eur <= 0 or amount_eur >= spend_left:
        points, spend = points_left, spend_left
    else:
        points = int((Decimal(earn.points) * amount_eur / earn.spend_eur).to_integral_value(ROUND_HALF_UP))
        points, spend = min(points, points_left), amount_eur
    if points <= 0:
        return None
    # Points already spent stay spent: the balance never goes below zero.
    points = min(points, account.balance)
    if points <= 0:
        return None
    return _append(
        account=account,
        kind=EntryKind.REVERSE,
        points=-points,
        spend_eur=-spend,
        order_id=order_id,
        source_key=source_key,
        reason=reason,
    )


@transaction.atomic
def reverse_for_return(*, return_id: int) -> PointsEntry | None:
    """Goods came back at a till: the points of the money refunded (``reverse:return:<id>``)."""
    ret = Return.objects.get(pk=return_id)
    return _reverse(
        order_id=ret.order_id,
        source_key=f"reverse:return:{ret.pk}",
        amount_eur=ret.total_gross,
        reason=ret.number,
    )


@transaction.atomic
def reverse_for_refund(*, action_id: int) -> PointsEntry | None:
    """Money went back for part of an order (``reverse:action:<id>``); refunded shipping takes no
    points back (it earned none)."""
    action = OrderAction.objects.get(pk=action_id)
    amount = max(action.amount - action.shipping_amount, ZERO)
    if amount <= 0:
        return None
    return _reverse(
        order_id=action.order_id,
        source_key=f"reverse:action:{action.pk}",
        amount_eur=amount,
        reason=action.reason or action.kind,
    )


@transaction.atomic
def reverse_for_order(*, order_id: int, event_name: str) -> PointsEntry | None:
    """The whole order was cancelled or refunded after earning: whatever it still holds goes back."""
    return _reverse(
        order_id=order_id, source_key=f"reverse:order:{order_id}", amount_eur=None, reason=event_name
    )


# --- staff and redemption -------------------------------------------------------------------------


@transaction.atomic
def adjust(*, customer: User, points: int, reason: str, staff: User | None, key: str = "") -> PointsEntry:
    """A staff correction with a reason; refused (nothing written) below zero or without a reason."""
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise InvalidPoints()
    if not reason.strip():
        raise ReasonRequired()
    if not customer.pk:
        raise CustomerNotFound()
    account = _locked_account(customer.pk)
    source_key = (
        f"adjust:{key}" if key else f"adjust:{customer.pk}:{timezone.now().isoformat()}:{account.balance}"
    )
    existing = _existing(source_key[:80])
    if existing is not None:
        return existing
    if account.balance + points < 0:
        raise InsufficientPoints(detail={"balance": account.balance, "points": points})
    return _append(
        account=account,
        kind=EntryKind.ADJUST,
        points=points,
        source_key=source_key[:80],
        reason=reason,
        staff=staff,
    )


@transaction.atomic
def redeem_points(*, customer: User, points: int, key: str) -> PointsEntry:
    """Spend ``points`` (``redeem:<key>``): atomic, never below zero. Two spends of the same points at
    once: the second waits for the account lock, then finds the balance short and is refused."""
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise InvalidPoints()
    account = _locked_account(customer.pk)
    source_key = f"redeem:{key}"[:80]
    existing = _existing(source_key)
    if existing is not None:
        return existing
    if account.balance < points:
        raise InsufficientPoints(detail={"balance": account.balance, "points": points})
    return _append(account=account, kind=EntryKind.REDEEM, points=-points, source_key=source_key)


def _voucher_key(customer_id: int, key: str) -> str:
    """``redeem:voucher:<customer>:<key>``; a long key is hashed so two keys never share a prefix."""
    if not key or not key.strip():
        raise InvalidPoints(_("A conversion needs a key."))
    raw = f"redeem:voucher:{customer_id}:{key}"
    if len(raw) <= 80:
        return raw
    return f"redeem:voucher:{customer_id}:h:" + hashlib.sha256(key.encode()).hexdigest()[:40]


@transaction.atomic
def convert_points_to_voucher(*, customer: User, key: str) -> Coupon:
    """Spend ``LOYALTY_REWARD_POINTS`` for a personal, single-use voucher of ``LOYALTY_REWARD_EUR``
    (TTC, web and till, valid ``LOYALTY_REWARD_VALID_DAYS``). Atomic under the account lock, like
    ``redeem_points``: the redeem entry names the voucher (``PointsEntry.coupon``), both commit or
    neither. Idempotent on ``key`` (per customer): a replay returns the same voucher. Too few points:
    ``InsufficientPoints``, nothing written."""
    if not customer.pk:
        raise CustomerNotFound()
    points = int(settings.LOYALTY_REWARD_POINTS)
    amount = Decimal(settings.LOYALTY_REWARD_EUR)
    source_key = _voucher_key(customer.pk, key)
    account = _locked_account(customer.pk)
    existing = PointsEntry.objects.select_related("coupon").filter(source_key=source_key).first()
    if existing is not None:
        if existing.coupon is None:
            raise KeyReused()
        return existing.coupon
    if account.balance < points:
        raise InsufficientPoints(detail={"balance": account.balance, "points": points})
    coupon = pricing_services.create_personal_coupon(
        customer_id=customer.pk,
        origin=CouponOrigin.LOYALTY_REWARD,
        name=f"Loyalty reward {points} pts = {amount} EUR ({customer.pk})",
        value=amount,
        valid_days=int(settings.LOYALTY_REWARD_VALID_DAYS),
        prefix="PTS",
        source_key=f"reward:{source_key.removeprefix('redeem:voucher:')}",
    )
    _append(
        account=account,
        kind=EntryKind.REDEEM,
        points=-points,
        source_key=source_key,
        reason=coupon.code,
        coupon=coupon,
    )
    return coupon


# --- tiers ----------------------------------------------------------------------------------------


def rolling_spend(*, customer_id: int, now: dt.datetime) -> Decimal:
    """Spend that counts towards the tier: earned minus reversed over the last 12 months."""
    total = PointsEntry.objects.filter(
        customer_id=customer_id,
        kind__in=[EntryKind.EARN, EntryKind.REVERSE],
        created_at__gt=now - SPEND_WINDOW,
    ).aggregate(total=Sum("spend_eur"))["total"]
    return total or ZERO


def qualifying_tier(*, spend: Decimal) -> Tier | None:
    return Tier.objects.filter(threshold_eur__lte=spend).order_by("-rank").first()


def _upgrade_if_due(*, account: LoyaltyAccount, now: dt.datetime) -> bool:
    target = qualifying_tier(spend=rolling_spend(customer_id=account.customer_id, now=now))
    current_rank = account.tier.rank if account.tier is not None else -1
    if target is None or target.rank <= current_rank:
        if target is not None and target.rank == current_rank and account.grace_until is not None:
            account.grace_until = None
            account.save(update_fields=["grace_until"])
        return False
    account.tier = target
    account.tier_since = now
    account.grace_until = None
    account.save(update_fields=["tier", "tier_since", "grace_until"])
    outbox.enqueue(
        "loyalty.tasks.send_tier_upgrade_email",
        key=f"loyalty-upgrade:{account.pk}:{target.code}:{now.date().isoformat()}",
        account_id=account.pk,
        tier_code=target.code,
    )
    return True


@dataclass
class TierReview:
    upgraded: int = 0
    downgraded: int = 0
    in_grace: int = 0


def reevaluate_tiers(*, now: dt.datetime | None = None) -> TierReview:
    """Nightly: upgrades anyone who qualifies; a customer below their tier's threshold gets
    ``LOYALTY_TIER_GRACE_DAYS`` of grace, then drops to the tier their spend reaches. Each account in
    its own short transaction, locked."""
    now = now or timezone.now()
    grace = dt.timedelta(days=getattr(settings, "LOYALTY_TIER_GRACE_DAYS", 30))
    review = TierReview()
    for account_id in LoyaltyAccount.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            account = (
                LoyaltyAccount.objects.select_for_update(of=("self",))
                .select_related("tier")
                .get(pk=account_id)
            )
            if _upgrade_if_due(account=account, now=now):
                review.upgraded += 1
                continue
            if account.tier is None:
                continue
            target = qualifying_tier(spend=rolling_spend(customer_id=account.customer_id, now=now))
            if target is not None and target.rank >= account.tier.rank:
                continue
            if account.grace_until is None:
                account.grace_until = now + grace
                account.save(update_fields=["grace_until"])
                review.in_grace += 1
            elif now >= account.grace_until:
                account.tier = target
                account.tier_since = now if target is not None else None
                account.grace_until = None
                account.save(update_fields=["tier", "tier_since", "grace_until"])
                review.downgraded += 1
            else:
                review.in_grace += 1
    return review
