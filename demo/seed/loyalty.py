"""Loyalty and marketing in the demo: a gold shopper with points and a voucher, consenting customers,
the RFM segments, a segment and a draft campaign in the admin.

- The demo shopper's purchases of the past year at the boutiques (imported history, as an ERP
  migration brings it: ``orders.services.archive``) earn their points through
  ``loyalty.services.earn_for_order``, which makes them gold (800 EUR over 12 months); 100 of the
  points became a 5 EUR voucher, so the cart and the till show one to apply.
- A third of the history customers consent to e-mail (an admin import, with its proof), the nightly
  RFM table is computed once, and the admin has a "Champions" segment with a draft campaign.

Re-runnable: every step is keyed or skipped when done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import CustomerProfile, User
from catalog.models import Variant
from inventory.models import Location, LocationKind
from loyalty import services as loyalty
from loyalty.errors import InsufficientPoints
from marketing import services as marketing
from marketing.campaign_models import Campaign, RfmSegment, Segment
from marketing.models import ConsentSource
from marketing.services_segments import refresh_rfm
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from orders.services.archive import import_archived_orders

from .accounts import DEMO_SHOPPER
from .history import DOMAIN

CENT = Decimal("0.01")
# Days ago and how many of the first in-stock variants the shopper bought at a boutique.
PAST_VISITS = [(320, 4), (250, 3), (190, 5), (120, 4), (75, 3), (30, 4)]
GOLD_SPEND = Decimal("850")  # above gold's 800 EUR threshold


def seed() -> dict[str, int]:
    shopper = User.objects.filter(email=DEMO_SHOPPER).first()
    result = {"loyalty_orders": 0, "consents": 0, "segments": 0}
    if shopper is not None:
        result["loyalty_orders"] = _shopper_history(shopper)
    result["consents"] = _history_consents()
    if result["consents"] or not Segment.objects.exists():
        refresh_rfm()
        result["segments"] = _segment_and_campaign()
    return result


def _shopper_history(shopper: User) -> int:
    """Past boutique purchases worth about GOLD_SPEND, each earning its points; then a voucher."""
    if Order.objects.filter(number__startswith="DEMO-L").exists():
        return 0
    store = Location.objects.filter(kind=LocationKind.STORE, code="AJA").first()
    variants = list(
        Variant.objects.filter(is_active=True, product__is_published=True)
        .select_related("product__vat_rate")
        .order_by("product_id", "sku")[:200]
    )
    if store is None or not variants:
        return 0
    now = timezone.now()
    orders: list[Order] = []
    lines: list[OrderLine] = []
    spent = Decimal(0)
    picked = iter(variants)
    for n, (days_ago, count) in enumerate(PAST_VISITS, start=1):
        order = Order(
            number=f"DEMO-L{n:02d}",
            channel=Channel.STORE,
            status=OrderStatus.COMPLETED,
            delivery_method=DeliveryMethod.IN_STORE,
            location=store,
            customer=shopper,
            email=shopper.email,
            created_at=now - dt.timedelta(days=days_ago),
        )
        net_sum = vat_sum = Decimal(0)
        share = GOLD_SPEND * n / len(PAST_VISITS) - spent  # each visit brings the year nearer gold
        for variant in picked:
            unit = variant.price_ht_override or variant.product.base_price_ht
            rate = variant.product.vat_rate.rate
            gross_unit = unit * (1 + rate)
            if gross_unit > share and net_sum:
                break
            quantity = max(1, min(count, int(share / gross_unit))) if gross_unit else 1
            net = (unit * quantity).quantize(CENT, ROUND_HALF_UP)
            vat = (net * rate).quantize(CENT, ROUND_HALF_UP)
            net_sum, vat_sum, share = net_sum + net, vat_sum + vat, share - net - vat
            lines.append(
                OrderLine(
                    order=order, variant=variant, sku=variant.sku, name=variant.product.name,
                    quantity=quantity, unit_price_net=unit, vat_rate=rate, total_net=net,
                    total_vat=vat, total_gross=net + vat,
                )
            )  # fmt: skip
            if share <= 0:
                break
        order.total_net, order.total_vat = net_sum, vat_sum
        order.total_gross = order.total_gross_eur = net_sum + vat_sum
        spent += order.total_gross
        orders.append(order)
    with transaction.atomic():
        import_archived_orders(orders=orders, lines=lines)
    for order in orders:
        loyalty.earn_for_order(order_id=order.pk)
    CustomerProfile.objects.filter(user=shopper, birth_date__isnull=True).update(
        birth_date=dt.date(1990, 6, 14)
    )
    with contextlib.suppress(InsufficientPoints):
        loyalty.convert_points_to_voucher(customer=shopper, key="demo-voucher")
    return len(orders)


def _history_consents() -> int:
    """Every third history customer said yes to e-mail (imported with its proof)."""
    customers = list(User.objects.filter(email__endswith=f"@{DOMAIN}").order_by("email"))[::3]
    added = 0
    for user in customers:
        consent = marketing.grant(
            address=user.email,
            source=ConsentSource.ADMIN_IMPORT,
            text_shown="Demo: e-mail consent imported from the old newsletter list.",
        )
        added += int(consent.events.count() == 1)
    return added


def _segment_and_campaign() -> int:
    segment, created = Segment.objects.get_or_create(
        name="Champions (e-mail)", defaults={"rfm_segment": RfmSegment.CHAMPIONS}
    )
    Campaign.objects.get_or_create(
        name="Spring collection — champions",
        defaults={
            "segment": segment,
            "subject_fr": "{{ first_name }}, la collection de printemps est là",
            "subject_en": "{{ first_name }}, the spring collection is here",
            "body_fr": '<p>Bonjour {{ first_name }},</p><p>Choisis pour vous :</p>{% products "for_you" %}',
            "body_en": '<p>Hello {{ first_name }},</p><p>Picked for you:</p>{% products "for_you" %}',
        },
    )
    return int(created)
