"""Customer segments: the nightly RFM picture and the rule-based segments staff build.

**RFM** (``refresh_rfm``, beat ``marketing-refresh-rfm`` every night): for every customer with a
bought order (paid, ready for pickup, shipped or completed; web and till alike, cancelled and
refunded orders do not count):

- *recency*: days since their last bought order;
- *frequency*: bought orders in the last 12 months;
- *monetary*: what those orders came to, EUR TTC, minus what was refunded of them.

The first rule that matches gives the segment (thresholds are settings):

1. **lost**: no purchase for more than ``MARKETING_RFM_LOST_DAYS`` (365) days;
2. **at risk**: no purchase for more than ``MARKETING_RFM_ACTIVE_DAYS`` (90) days;
3. **new**: their first purchase ever is less than ``MARKETING_RFM_ACTIVE_DAYS`` days old;
4. **champions**: at least ``MARKETING_RFM_CHAMPION_ORDERS`` (5) orders and
   ``MARKETING_RFM_CHAMPION_SPEND`` (1000) EUR over 12 months;
5. **loyal**: everyone else (they came back and bought in the last 90 days).

The table is rebuilt from ONE aggregate query over orders, then upserted in chunks
(``bulk_create(update_conflicts=True)``) and the rows of customers who no longer qualify deleted:
a few seconds for 50,000 customers.

**Rule segments** (``segment_members``): every rule set on a ``Segment`` must match. Spend, last
purchase and the RFM segment are read from the RFM table (as of the last refresh). The loyalty
tier is read from ``pricing.CustomerBenefit.source`` (``"loyalty tier <code>"``), which loyalty writes
when it grants a tier's benefits: marketing and loyalty share a layer and must not import each
other, and pricing sits below both. Members always consent to the segment's channel and are not
suppressed on it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Lower, Trim
from django.utils import timezone

from accounts.models import Address, User
from orders.models import Order, OrderLine, OrderStatus

from .campaign_models import CustomerRfm, RfmSegment, Segment
from .models import Channel, Consent, ConsentStatus, Suppression

BOUGHT_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.READY_FOR_PICKUP,
    OrderStatus.SHIPPED,
    OrderStatus.COMPLETED,
)
CHUNK = 5000
TIER_SOURCE = "loyalty tier {code}"  # what loyalty writes into pricing.CustomerBenefit.source


def rfm_segment(*, recency_days: int, first_order_days: int, frequency: int, monetary: Decimal) -> str:
    """The segment of one customer (pure: the rules of the module docstring)."""
    active = int(settings.MARKETING_RFM_ACTIVE_DAYS)
    if recency_days > int(settings.MARKETING_RFM_LOST_DAYS):
        return RfmSegment.LOST
    if recency_days > active:
        return RfmSegment.AT_RISK
    if first_order_days <= active:
        return RfmSegment.NEW
    if frequency >= int(settings.MARKETING_RFM_CHAMPION_ORDERS) and monetary >= Decimal(
        str(settings.MARKETING_RFM_CHAMPION_SPEND)
    ):
        return RfmSegment.CHAMPIONS
    return RfmSegment.LOYAL


def refresh_rfm(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Rebuild the RFM table; returns the number of customers per segment."""
    now = now or timezone.now()
    year_ago = now - dt.timedelta(days=365)
    recent = Q(created_at__gte=year_ago)
    rows = (
        Order.objects.filter(customer__isnull=False, status__in=BOUGHT_STATUSES)
        .values("customer_id")
        .annotate(
            first=Min("created_at"),
            last=Max("created_at"),
            total=Count("pk"),
            frequency=Count("pk", filter=recent),
            spent=Coalesce(Sum("total_gross_eur", filter=recent), Decimal("0")),
            refunded=Coalesce(Sum("refunded_gross", filter=recent), Decimal("0")),
        )
        .order_by("customer_id")
    )
    counts: dict[str, int] = dict.fromkeys(RfmSegment.values, 0)
    batch: list[CustomerRfm] = []
    fields = [
        "first_order_at",
        "last_order_at",
        "recency_days",
        "frequency",
        "monetary",
        "orders_total",
        "segment",
        "computed_at",
    ]

    def flush() -> None:
        CustomerRfm.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=["customer"], update_fields=fields
        )
        batch.clear()

    with transaction.atomic():
        for row in rows.iterator(chunk_size=CHUNK):
            recency = max(0, (now - row["last"]).days)
            monetary = max(Decimal("0"), Decimal(row["spent"]) - Decimal(row["refunded"]))
            segment = rfm_segment(
                recency_days=recency,
                first_order_days=max(0, (now - row["first"]).days),
                frequency=row["frequency"],
                monetary=monetary,
            )
            counts[segment] += 1
            batch.append(
                CustomerRfm(
                    customer_id=row["customer_id"],
                    first_order_at=row["first"],
                    last_order_at=row["last"],
                    recency_days=recency,
                    frequency=row["frequency"],
                    monetary=monetary,
                    orders_total=row["total"],
                    segment=segment,
                    computed_at=now,
                )
            )
            if len(batch) >= CHUNK:
                flush()
        if batch:
            flush()
        CustomerRfm.objects.exclude(computed_at=now).delete()
    return counts


def consenting(users: QuerySet[User], *, channel: str) -> QuerySet[User]:
    """Only the users with a granted consent on ``channel`` and no suppression of that address."""
    suppressed = Suppression.objects.filter(channel=channel, address=OuterRef("address"))
    granted = Consent.objects.filter(channel=channel, status=ConsentStatus.GRANTED).exclude(
        Exists(suppressed)
    )
    if channel == Channel.EMAIL:
        users = users.annotate(_address=Lower("email"))
        return users.filter(Exists(granted.filter(address=OuterRef("_address"))))
    return users.filter(Exists(granted.filter(user=OuterRef("pk"))))


def segment_members(segment: Segment, *, channel: str | None = None) -> QuerySet[User]:
    """The customers of a segment (active, not staff), consenting and not suppressed on ``channel``
    (the segment's own by default)."""
    users = User.objects.filter(is_active=True, is_staff=False)
    rfm: dict[str, Any] = {}
    if segment.rfm_segment:
        rfm["segment"] = segment.rfm_segment
    if segment.last_purchase_after:
        rfm["last_order_at__date__gte"] = segment.last_purchase_after
    if segment.last_purchase_before:
        rfm["last_order_at__date__lt"] = segment.last_purchase_before
    if segment.spend_min is not None:
        rfm["monetary__gte"] = segment.spend_min
    if segment.spend_max is not None:
        rfm["monetary__lte"] = segment.spend_max
    if rfm:
        users = users.filter(Exists(CustomerRfm.objects.filter(customer=OuterRef("pk"), **rfm)))
    if segment.tier:
        users = users.filter(pricing_benefit__source__iexact=TIER_SOURCE.format(code=segment.tier))
    if segment.store_id:
        users = users.filter(
            Exists(
                Order.objects.filter(
                    customer=OuterRef("pk"), location_id=segment.store_id, status__in=BOUGHT_STATUSES
                )
            )
        )
    if segment.city:
        city = Address.objects.annotate(_city=Lower(Trim("city"))).filter(
            user=OuterRef("pk"), _city=segment.city.strip().lower()
        )
        users = users.filter(Exists(city))
    if segment.pk:
        category_ids = list(segment.categories.values_list("pk", flat=True))
        if category_ids:
            users = users.filter(
                Exists(
                    OrderLine.objects.filter(
                        order__customer=OuterRef("pk"),
                        order__status__in=BOUGHT_STATUSES,
                        variant__product__category_id__in=category_ids,
                    )
                )
            )
    return consenting(users, channel=channel or segment.channel)


def member_count(segment: Segment, *, channel: str | None = None) -> int:
    """How many people a send to this segment reaches today (consenting, not suppressed)."""
    return segment_members(segment, channel=channel).count()
