"""Prices to show, for many variants at once, in a constant number of queries.

``display_prices`` applies the same rule as ``pricing.services.unit_price`` (``pricing.resolution``:
company, group, shop, everybody; priority; quantity break; lowest price; else the catalog price) to a
whole page of variants with one query for the entries and one for the currency rate. Rounding is
the platform's: the gross (TTC) unit price is rounded once to the cent in EUR (``money_round``), then
converted and rounded once in the shopper's currency, exactly as ``pricing.services.convert`` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from core.money import money_round

from . import resolution
from .errors import UnsupportedCurrency
from .models import SUPPORTED_CURRENCIES, Channel, Coupon, CurrencyRate, PriceListEntry, Promotion

if TYPE_CHECKING:
    from accounts.models import Company, CustomerGroup
    from catalog.models import Variant
    from inventory.models import Location

BASE_CURRENCY = "EUR"
CURRENCY_CODES = [code for code, _ in SUPPORTED_CURRENCIES]


@dataclass(frozen=True)
class DisplayPrice:
    """One variant's unit price as a page shows it. ``*_eur`` are in EUR, the rest in ``currency``."""

    net_eur: Decimal  # HT, 4 decimals
    gross_eur: Decimal  # TTC, rounded to the cent
    base_net_eur: Decimal  # the catalog price before any price list
    base_gross_eur: Decimal
    vat_rate: Decimal
    currency: str
    gross: Decimal  # TTC in ``currency``
    net: Decimal  # HT in ``currency``, rounded to the cent for display
    base_gross: Decimal
    base_net: Decimal
    price_list: str | None = None

    @property
    def discount_percent(self) -> Decimal:
        if not self.base_net_eur or self.net_eur >= self.base_net_eur:
            return Decimal("0")
        return ((1 - self.net_eur / self.base_net_eur) * 100).quantize(Decimal("0.1"))

    @property
    def is_discounted(self) -> bool:
        return self.net_eur < self.base_net_eur


def currency_rate(currency: str) -> Decimal:
    """Units of ``currency`` per EUR (one query unless EUR). Raises UnsupportedCurrency."""
    if currency == BASE_CURRENCY:
        return Decimal("1")
    rate = CurrencyRate.objects.filter(currency=currency).values_list("rate", flat=True).first()
    if rate is None:
        raise UnsupportedCurrency(f"{currency} is not offered.", detail={"currency": currency})
    return rate


def best_entries(
    *,
    variant_ids: Iterable[int],
    customer_group: CustomerGroup | None = None,
    channel: str = Channel.WEB,
    location: Location | None = None,
    at: dt.datetime | None = None,
    company: Company | None = None,
    shop_id: int | None = None,
) -> dict[int, tuple[Decimal, str]]:
    """variant id -> (net price, price list code) of the entry that wins for one unit
    (``pricing.resolution``; ``shop_id``: the page's shop, None: only the lists of no shop). One query."""
    ids = list(set(variant_ids))
    if not ids:
        return {}
    rows = (
        resolution.candidates(
            variant_ids=ids,
            customer_group=customer_group,
            company=company,
            channel=channel,
            location=location,
            at=at or timezone.now(),
            shop_id=shop_id,
        )
        .select_related("price_list")
        .only("variant_id", "min_quantity", "price_ht", "price_list__code")
    )
    return {vid: (e.price_ht, e.price_list.code) for vid, e in resolution.pick(rows).items()}


def display_prices(
    *,
    variants: Iterable[Variant],
    customer_group: CustomerGroup | None = None,
    currency: str = BASE_CURRENCY,
    channel: str = Channel.WEB,
    location: Location | None = None,
    at: dt.datetime | None = None,
    company: Company | None = None,
    shop_id: int | None = None,
) -> dict[int, DisplayPrice]:
    """variant id -> DisplayPrice. The variants need ``product__vat_rate`` loaded. At most 2 queries."""
    variants = list(variants)
    if not variants:
        return {}
    rate = currency_rate(currency)
    entries = best_entries(
        variant_ids=[v.pk for v in variants],
        customer_group=customer_group,
        channel=channel,
        location=location,
        at=at,
        company=company,
        shop_id=shop_id,
    )
    return {
        variant.pk: make_display_price(
            net=entries.get(variant.pk, (variant.price_ht, None))[0],
            base_net=variant.price_ht,
            vat_rate=variant.product.vat_rate.rate,
            currency=currency,
            rate=rate,
            price_list=entries.get(variant.pk, (None, None))[1],
        )
        for variant in variants
    }


def make_display_price(
    *,
    net: Decimal,
    base_net: Decimal,
    vat_rate: Decimal,
    currency: str,
    rate: Decimal,
    price_list: str | None,
) -> DisplayPrice:
    """A DisplayPrice from the net prices, the VAT rate and the currency rate (rounding: see above)."""
    gross_eur = money_round(net * (1 + vat_rate))
    base_gross_eur = money_round(base_net * (1 + vat_rate))
    return DisplayPrice(
        net_eur=net,
        gross_eur=gross_eur,
        base_net_eur=base_net,
        base_gross_eur=base_gross_eur,
        vat_rate=vat_rate,
        currency=currency,
        gross=money_round(gross_eur * rate),
        net=money_round(net * rate),
        base_gross=money_round(base_gross_eur * rate),
        base_net=money_round(base_net * rate),
        price_list=price_list,
    )


def promotions_of_shop(shop_id: int | None, *, promotion_field: str = "pk") -> Q:
    """A filter on ``Promotion``: those of every shop (no ``shops``), and those limited to shops that
    include ``shop_id``. None (the till, e-mails sent outside any shop): only those of every shop.
    ``Exists``, not a join: a promotion of several shops comes once. ``promotion_field``: the
    promotion's id on another model (``"promotion_id"`` on ``Coupon``)."""
    scoped = Promotion.shops.through.objects.filter(promotion_id=OuterRef(promotion_field))
    everywhere = Q(~Exists(scoped))
    if shop_id is None:
        return everywhere
    return everywhere | Q(Exists(scoped.filter(shop_id=shop_id)))


def usable_personal_coupons(*, customer_id: int, at: dt.datetime | None = None) -> list[Coupon]:
    """The customer's own coupons they can still use: active, not expired, not used up; soonest to
    expire first (only those valid now)."""
    at = at or timezone.now()
    return list(
        Coupon.objects.filter(
            customer_id=customer_id,
            promotion__is_active=True,
            promotion__starts_at__lte=at,
            promotion__ends_at__gt=at,
        )
        .filter(Q(max_uses__isnull=True) | Q(times_used__lt=F("max_uses")))
        .select_related("promotion")
        .order_by("promotion__ends_at", "pk")
    )


def repriced_variant_ids(*, since: dt.datetime, now: dt.datetime) -> QuerySet[PriceListEntry, Any]:
    """The ids of the variants whose price may differ since ``since`` (a subquery, for the tills'
    catalog delta): an entry written since, its list edited since, or its list started or ended
    between ``since`` and ``now``. Deleted entries stamp their variant instead
    (``services.note_entries_removed``)."""
    return PriceListEntry.objects.filter(
        Q(updated_at__gt=since)
        | Q(price_list__updated_at__gt=since)
        | Q(price_list__starts_at__gt=since, price_list__starts_at__lte=now)
        | Q(price_list__ends_at__gt=since, price_list__ends_at__lte=now)
    ).values("variant_id")
