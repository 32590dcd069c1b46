"""Personal coupons loyalty gives: birthday, win-back, tier welcome.

Each is a single-use coupon only its customer may use, on the web and at the till
(``pricing.services.create_personal_coupon``), made once per occasion by its ``source_key``:

- birthday: ``birthday:<user>:<year>``, the day of ``CustomerProfile.birth_date`` (29 February: the
  28th in other years), ``LOYALTY_BIRTHDAY_COUPON_EUR`` for ``LOYALTY_BIRTHDAY_COUPON_DAYS``;
- win-back: ``win-back:<user>:<last order id>``, once the last purchase (web or till) is
  ``LOYALTY_WINBACK_DAYS`` old: once per lapse (a new purchase, then a new lapse, gives a new one).
  It is a marketing message, so only for customers whose ``CustomerProfile.marketing_opt_in`` is
  ticked: marketing keeps that flag equal to the account's e-mail consent (``marketing.services``),
  and loyalty may not import marketing (same layer);
- tier welcome: ``tier-welcome:<user>:<tier code>``, at the upgrade (``services._upgrade_if_due``),
  once per tier and customer; the upgrade e-mail carries its code.

Each coupon's e-mail is queued through the outbox in the coupon's transaction (sent once, after
commit). The beat task ``loyalty.tasks.grant_personal_coupons`` runs the daily ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import CustomerProfile
from core import outbox
from orders.models import Order, OrderStatus
from pricing import services as pricing_services
from pricing.models import Coupon, CouponOrigin

from .models import LoyaltyAccount, Tier

PURCHASE_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.READY_FOR_PICKUP,
    OrderStatus.SHIPPED,
    OrderStatus.COMPLETED,
)


def _grant(
    *, customer_id: int, origin: str, name: str, amount: int, days: int, prefix: str, source_key: str
) -> tuple[Coupon, bool]:
    """The coupon of ``source_key``, made now if new (then its e-mail is queued). (coupon, created)."""
    existing = Coupon.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    coupon = pricing_services.create_personal_coupon(
        customer_id=customer_id,
        origin=origin,
        name=name,
        value=Decimal(amount),
        valid_days=days,
        prefix=prefix,
        source_key=source_key,
    )
    return coupon, True


def grant_tier_welcome(*, account: LoyaltyAccount, tier: Tier) -> Coupon | None:
    """In the upgrade's transaction: the welcome coupon of ``tier`` (once per tier and customer).
    Its code goes out in the upgrade e-mail. None when ``LOYALTY_WELCOME_COUPON_EUR`` is 0."""
    amount = int(settings.LOYALTY_WELCOME_COUPON_EUR)
    if amount <= 0:
        return None
    coupon, _created = _grant(
        customer_id=account.customer_id,
        origin=CouponOrigin.TIER_WELCOME,
        name=f"Welcome to {tier.name} ({account.customer_id})",
        amount=amount,
        days=int(settings.LOYALTY_WELCOME_COUPON_DAYS),
        prefix="VIP",
        source_key=tier_welcome_key(customer_id=account.customer_id, tier_code=tier.code),
    )
    return coupon


def tier_welcome_key(*, customer_id: int, tier_code: str) -> str:
    return f"tier-welcome:{customer_id}:{tier_code}"


def birthday_today(*, birth_date: dt.date, today: dt.date) -> bool:
    if (birth_date.month, birth_date.day) == (today.month, today.day):
        return True
    # 29 February: celebrated on the 28th when the year has none
    leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)
    return (birth_date.month, birth_date.day) == (2, 29) and not leap and (today.month, today.day) == (2, 28)


@transaction.atomic
def grant_birthday_coupon(*, customer_id: int, year: int) -> tuple[Coupon, bool]:
    coupon, created = _grant(
        customer_id=customer_id,
        origin=CouponOrigin.BIRTHDAY,
        name=f"Birthday {year} ({customer_id})",
        amount=int(settings.LOYALTY_BIRTHDAY_COUPON_EUR),
        days=int(settings.LOYALTY_BIRTHDAY_COUPON_DAYS),
        prefix="BDAY",
        source_key=f"birthday:{customer_id}:{year}",
    )
    if created:
        outbox.enqueue(
            "loyalty.tasks.send_personal_coupon_email", key=f"coupon-email:{coupon.pk}", coupon_id=coupon.pk
        )
    return coupon, created


@transaction.atomic
def grant_win_back_coupon(*, customer_id: int, last_order_id: int) -> tuple[Coupon, bool]:
    coupon, created = _grant(
        customer_id=customer_id,
        origin=CouponOrigin.WIN_BACK,
        name=f"We miss you ({customer_id})",
        amount=int(settings.LOYALTY_WINBACK_COUPON_EUR),
        days=int(settings.LOYALTY_WINBACK_COUPON_DAYS),
        prefix="BACK",
        source_key=f"win-back:{customer_id}:{last_order_id}",
    )
    if created:
        outbox.enqueue(
            "loyalty.tasks.send_personal_coupon_email", key=f"coupon-email:{coupon.pk}", coupon_id=coupon.pk
        )
    return coupon, created


@dataclass
class CouponRun:
    birthday: int = 0
    win_back: int = 0


def grant_personal_coupons(*, now: dt.datetime | None = None) -> CouponRun:
    """Beat, daily: today's birthday coupons, then the win-back coupons of lapsed, consenting
    customers. Each coupon in its own short transaction; a second run the same day makes none."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    run = CouponRun()
    if int(settings.LOYALTY_BIRTHDAY_COUPON_EUR) > 0:
        days = [(today.month, today.day)]
        if (today.month, today.day) == (2, 28):
            days.append((2, 29))
        profiles = CustomerProfile.objects.filter(birth_date__isnull=False, user__is_active=True)
        for month, day in days:
            for customer_id, birth_date in profiles.filter(
                birth_date__month=month, birth_date__day=day
            ).values_list("user_id", "birth_date"):
                if birth_date is not None and birthday_today(birth_date=birth_date, today=today):
                    run.birthday += grant_birthday_coupon(customer_id=customer_id, year=today.year)[1]
    winback_days = int(settings.LOYALTY_WINBACK_DAYS)
    if winback_days > 0 and int(settings.LOYALTY_WINBACK_COUPON_EUR) > 0:
        consenting = CustomerProfile.objects.filter(marketing_opt_in=True, user__is_active=True).values(
            "user_id"
        )
        lapsed = (
            Order.objects.filter(customer_id__in=consenting, status__in=PURCHASE_STATUSES)
            .values("customer_id")
            .annotate(last_at=Max("created_at"), last_id=Max("id"))
            .filter(last_at__lt=now - dt.timedelta(days=winback_days))
            .order_by("customer_id")
        )
        for row in lapsed:
            run.win_back += grant_win_back_coupon(
                customer_id=row["customer_id"], last_order_id=row["last_id"]
            )[1]
    return run
