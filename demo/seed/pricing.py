"""Demo pricing: currency rates, promotions, coupon codes and a B2B price list (``seed()``).

Called by ``manage.py seed_demo`` after the catalog. Re-runnable: rows are found by their code or
name and brought back to their demo state; a coupon's use count is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import CustomerGroup
from catalog.models import Variant
from inventory.models import Location
from pricing.models import Channel, Coupon, DiscountKind, PriceList, PriceListEntry, Promotion
from pricing.services import set_currency_rate

RATES = {"GBP": Decimal("0.860000"), "USD": Decimal("1.080000"), "CHF": Decimal("0.940000")}
SINGLE_USE_CODES = [f"MERCI-{n:02d}" for n in range(1, 11)]
B2B_GROUP = "hotels"
B2B_PRICE_LIST = "hotels-pro"
B2B_DISCOUNT = Decimal("0.85")  # B2B pays 85 % of the net price
B2B_VARIANTS = 200


@dataclass(frozen=True)
class PricingDemo:
    rates: int
    promotions: int
    coupons: int
    price_list_entries: int


@transaction.atomic
def seed(*, now: dt.datetime | None = None) -> PricingDemo:
    now = now or timezone.now()
    starts, ends = now - dt.timedelta(days=1), now + dt.timedelta(days=365)
    for currency, rate in RATES.items():
        set_currency_rate(currency=currency, rate=rate)

    national = _promotion(
        "Fête de l'automne : -5 € dès 80 €",
        kind=DiscountKind.FIXED,
        value=Decimal("5.00"),
        min_basket_ttc=Decimal("80.00"),
        starts_at=starts,
        ends_at=ends,
    )
    store = Location.objects.filter(code="AJA").first()
    promotions = [national]
    if store is not None:
        promotions.append(
            _promotion(
                "Boutique d'Ajaccio : -10 % en magasin",
                kind=DiscountKind.PERCENT,
                value=Decimal("10"),
                location=store,
                channel=Channel.STORE,
                starts_at=starts,
                ends_at=ends,
            )
        )
    welcome = _promotion(
        "Bienvenue : -10 % dès 30 €",
        kind=DiscountKind.PERCENT,
        value=Decimal("10"),
        min_basket_ttc=Decimal("30.00"),
        requires_coupon=True,
        starts_at=starts,
        ends_at=ends,
    )
    thanks = _promotion(
        "Merci : 15 € offerts dès 50 €",
        kind=DiscountKind.FIXED,
        value=Decimal("15.00"),
        min_basket_ttc=Decimal("50.00"),
        requires_coupon=True,
        starts_at=starts,
        ends_at=ends,
    )
    expired = _promotion(
        "Été (terminé)",
        kind=DiscountKind.PERCENT,
        value=Decimal("20"),
        requires_coupon=True,
        starts_at=now - dt.timedelta(days=120),
        ends_at=now - dt.timedelta(days=30),
    )
    promotions += [welcome, thanks, expired]
    coupons = [_coupon("BIENVENUE10", welcome, max_uses_per_customer=1)]
    coupons += [_coupon(code, thanks, max_uses=1) for code in SINGLE_USE_CODES]
    coupons.append(_coupon("ETE20", expired))

    entries = _b2b_price_list()
    return PricingDemo(
        rates=len(RATES), promotions=len(promotions), coupons=len(coupons), price_list_entries=entries
    )


def _promotion(name: str, **fields) -> Promotion:
    fields.setdefault("location", None)
    fields.setdefault("channel", Channel.ANY)
    fields.setdefault("min_basket_ttc", Decimal("0"))
    fields.setdefault("requires_coupon", False)
    promotion, _ = Promotion.objects.update_or_create(name=name, defaults={**fields, "is_active": True})
    return promotion


def _coupon(code: str, promotion: Promotion, **limits) -> Coupon:
    coupon = Coupon.objects.filter(code__iexact=code).first()
    if coupon is None:
        return Coupon.objects.create(code=code, promotion=promotion, **limits)
    coupon.promotion = promotion
    for name, value in limits.items():
        setattr(coupon, name, value)
    coupon.save()
    return coupon


def _b2b_price_list() -> int:
    """-15 % for the hotels and restaurants group on the first variants of the catalog."""
    group = CustomerGroup.objects.filter(code=B2B_GROUP).first()
    if group is None:
        return 0
    price_list, _ = PriceList.objects.update_or_create(
        code=B2B_PRICE_LIST,
        defaults={
            "name": "Hôtels et restaurants -15 %",
            "customer_group": group,
            "priority": 10,
            "is_active": True,
        },
    )
    variants = Variant.objects.select_related("product").filter(is_active=True).order_by("pk")[:B2B_VARIANTS]
    existing = set(price_list.entries.values_list("variant_id", flat=True))
    PriceListEntry.objects.bulk_create(
        [
            PriceListEntry(
                price_list=price_list,
                variant=v,
                price_ht=(v.price_ht * B2B_DISCOUNT).quantize(Decimal("0.0001")),
            )
            for v in variants
            if v.pk not in existing
        ]
    )
    return price_list.entries.count()
