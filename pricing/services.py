"""Pricing rules: which unit price applies, currency conversion, promotions and coupons.

Rounding: unit prices keep 4 decimals net (HT); the gross (TTC) unit price and every discount are
rounded once to the cent with ``catalog.models.money_round``. Converted amounts are rounded once,
in the target currency, by ``convert``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from core import events
from core.money import money_round

from . import resolution
from .errors import CouponUsedUp, InvalidCoupon, UnsupportedCurrency
from .events import PricesChanged
from .models import (
    SUPPORTED_CURRENCIES,
    Channel,
    Coupon,
    CouponOrigin,
    CouponRedemption,
    CurrencyRate,
    CustomerBenefit,
    DiscountKind,
    PriceListEntry,
    Promotion,
)
from .selectors import promotions_of_shop

if TYPE_CHECKING:
    from accounts.models import Company, CustomerGroup, User
    from catalog.models import Variant
    from inventory.models import Location

BASE_CURRENCY = "EUR"


@dataclass(frozen=True)
class UnitPrice:
    net: Decimal  # HT, 4 decimals, in EUR
    gross: Decimal  # TTC, rounded to the cent
    base_net: Decimal  # the catalog price before any price list
    vat_rate: Decimal
    currency: str = BASE_CURRENCY
    price_list: str | None = None
    min_quantity: int = 1  # the quantity break this price starts at

    @property
    def discount_percent(self) -> Decimal:
        """How much the price list takes off the base price, for showing "-12 %" to B2B customers."""
        if not self.base_net or self.net >= self.base_net:
            return Decimal("0")
        return ((1 - self.net / self.base_net) * 100).quantize(Decimal("0.1"))


def unit_price(
    *,
    variant: Variant,
    customer_group: CustomerGroup | None = None,
    channel: str = Channel.WEB,
    location: Location | None = None,
    at: dt.datetime | None = None,
    company: Company | None = None,
    quantity: int = 1,
    shop_id: int | None = None,
) -> UnitPrice:
    """The price of one variant (``pricing.resolution``: company, group, shop, everybody; priority;
    quantity break; lowest), else the catalog price."""
    return unit_prices(
        variants=[variant],
        customer_group=customer_group,
        channel=channel,
        location=location,
        at=at,
        company=company,
        quantities={variant.pk: quantity},
        shop_id=shop_id,
    )[variant.pk]


def unit_prices(
    *,
    variants: Iterable[Variant],
    customer_group: CustomerGroup | None = None,
    channel: str = Channel.WEB,
    location: Location | None = None,
    at: dt.datetime | None = None,
    company: Company | None = None,
    quantities: Mapping[int, int] | None = None,
    shop_id: int | None = None,
) -> dict[int, UnitPrice]:
    """``unit_price`` for many variants in one query (carts, lists): {variant id: UnitPrice}.

    ``quantities`` ({variant id: units in the line}) reaches the quantity breaks; without it every
    variant is priced for one unit. ``shop_id``: the shop's lists apply too (None: the till's case,
    only the lists of no shop). The variants need ``product__vat_rate`` loaded to avoid a query each.
    """
    at = at or timezone.now()
    variants = list(variants)
    best: dict[int, PriceListEntry] = {}
    if variants:
        entries = resolution.candidates(
            variant_ids=[v.pk for v in variants],
            customer_group=customer_group,
            company=company,
            channel=channel,
            location=location,
            at=at,
            max_quantity=max(quantities.values(), default=1) if quantities else 1,
            shop_id=shop_id,
        ).select_related("price_list")
        best = resolution.pick(entries, quantities)
    prices = {}
    for variant in variants:
        entry = best.get(variant.pk)
        base_net = variant.price_ht
        net = entry.price_ht if entry else base_net
        vat = variant.product.vat_rate.rate
        prices[variant.pk] = UnitPrice(
            net=net,
            gross=money_round(net * (1 + vat)),
            base_net=base_net,
            vat_rate=vat,
            price_list=entry.price_list.code if entry else None,
            min_quantity=entry.min_quantity if entry else 1,
        )
    return prices


@dataclass(frozen=True)
class PriceBreak:
    min_quantity: int
    price: UnitPrice


def price_breaks(
    *,
    variant: Variant,
    customer_group: CustomerGroup | None = None,
    channel: str = Channel.WEB,
    location: Location | None = None,
    at: dt.datetime | None = None,
    company: Company | None = None,
    shop_id: int | None = None,
) -> list[PriceBreak]:
    """The customer's unit price from each quantity break of ``variant`` ("from 10: 8.50 HT"), for the
    product page and the quick order. Only the breaks that lower the price; [] when there are none.
    One query."""
    at = at or timezone.now()
    rows = list(
        resolution.candidates(
            variant_ids=[variant.pk],
            customer_group=customer_group,
            company=company,
            channel=channel,
            location=location,
            at=at,
            max_quantity=None,
            shop_id=shop_id,
        ).select_related("price_list")
    )
    vat = variant.product.vat_rate.rate
    breaks: list[PriceBreak] = []
    for quantity in sorted({row.min_quantity for row in rows}):
        entry = resolution.pick(rows, {variant.pk: quantity}).get(variant.pk)
        net = entry.price_ht if entry else variant.price_ht
        price = UnitPrice(
            net=net,
            gross=money_round(net * (1 + vat)),
            base_net=variant.price_ht,
            vat_rate=vat,
            price_list=entry.price_list.code if entry else None,
            min_quantity=quantity,
        )
        if not breaks or price.net < breaks[-1].price.net:
            breaks.append(PriceBreak(min_quantity=quantity, price=price))
    return breaks if len(breaks) > 1 else []


def currency_rate(currency: str) -> Decimal:
    """Units of ``currency`` per EUR (1 for EUR). Raises UnsupportedCurrency when none is set."""
    if currency == BASE_CURRENCY:
        return Decimal("1")
    rate = CurrencyRate.objects.filter(currency=currency).values_list("rate", flat=True).first()
    if rate is None:
        raise UnsupportedCurrency(f"{currency} is not offered.", detail={"currency": currency})
    return rate


def offered_currencies() -> list[str]:
    """EUR first, then every currency staff gave a rate, in the order of SUPPORTED_CURRENCIES."""
    rated = set(CurrencyRate.objects.values_list("currency", flat=True))
    return [code for code, _ in SUPPORTED_CURRENCIES if code == BASE_CURRENCY or code in rated]


def convert(*, amount: Decimal, currency: str) -> Decimal:
    """An amount in EUR expressed in ``currency`` at the staff-maintained rate, rounded to the cent."""
    if currency == BASE_CURRENCY:
        return money_round(amount)
    return money_round(amount * currency_rate(currency))


@transaction.atomic
def set_currency_rate(*, currency: str, rate: Decimal) -> CurrencyRate:
    if currency == BASE_CURRENCY or currency not in dict(
        CurrencyRate._meta.get_field("currency").choices or ()
    ):
        raise UnsupportedCurrency(f"{currency} cannot be given a rate.", detail={"currency": currency})
    if rate <= 0:
        raise UnsupportedCurrency("A rate must be greater than zero.", detail={"rate": str(rate)})
    obj, _ = CurrencyRate.objects.update_or_create(currency=currency, defaults={"rate": rate})
    events.publish(PricesChanged())  # every page showing a converted price is stale
    return obj


def promotion_discount(*, promotion: Promotion, basket_ttc: Decimal) -> Decimal:
    """What the promotion takes off a basket (never more than the basket), rounded to the cent."""
    if promotion.kind == DiscountKind.PERCENT:
        discount = basket_ttc * promotion.value / 100
    else:
        discount = promotion.value
    return money_round(min(discount, basket_ttc))


def automatic_promotions(
    *,
    basket_ttc: Decimal,
    channel: str,
    location: Location | None = None,
    at: dt.datetime | None = None,
    early_access: bool = False,
    shop_id: int | None = None,
) -> list[Promotion]:
    """Promotions that apply without a code to this basket, best first. ``early_access`` (a
    customer's ``Benefit.early_access``): also those in their early-access window
    (``early_access_starts_at <= at < starts_at``). ``shop_id``: the basket's shop; promotions
    limited to other shops are left out (None, at the till: only those of every shop)."""
    promotions = [
        p
        for p in _live_promotions(
            channel=channel, location=location, at=at, early_access=early_access, shop_id=shop_id
        ).filter(requires_coupon=False)
        if basket_ttc >= p.min_basket_ttc
    ]
    return sorted(
        promotions, key=lambda p: promotion_discount(promotion=p, basket_ttc=basket_ttc), reverse=True
    )


def check_coupon(
    *,
    code: str,
    basket_ttc: Decimal,
    channel: str,
    location: Location | None = None,
    customer: User | None = None,
    at: dt.datetime | None = None,
    shop_id: int | None = None,
) -> Coupon:
    """Validate a code for a basket without using it (cart preview). Raises InvalidCoupon."""
    coupon = _find_coupon(code, lock=False, shop_id=shop_id)
    _validate(
        coupon,
        basket_ttc=basket_ttc,
        channel=channel,
        location=location,
        customer=customer,
        at=at,
        shop_id=shop_id,
    )
    return coupon


@transaction.atomic
def redeem_coupon(
    *,
    code: str,
    basket_ttc: Decimal,
    reference: str,
    channel: str,
    location: Location | None = None,
    customer: User | None = None,
    customer_email: str = "",
    at: dt.datetime | None = None,
    shop_id: int | None = None,
) -> CouponRedemption:
    """Use a coupon for an order. The coupon row is locked, so usage limits hold under concurrency.

    Replaying with the same ``reference`` returns the first redemption and uses nothing more.
    """
    coupon = _find_coupon(code, lock=True, shop_id=shop_id)
    existing = CouponRedemption.objects.filter(coupon=coupon, reference=reference).first()
    if existing is not None:
        return existing
    _validate(
        coupon,
        basket_ttc=basket_ttc,
        channel=channel,
        location=location,
        customer=customer,
        customer_email=customer_email,
        at=at,
        shop_id=shop_id,
    )
    updated = (
        Coupon.objects.filter(pk=coupon.pk)
        .filter(Q(max_uses__isnull=True) | Q(times_used__lt=F("max_uses")))
        .update(times_used=F("times_used") + 1)
    )
    if not updated:
        raise CouponUsedUp("This coupon has been used up.", detail={"reason": "used_up", "code": coupon.code})
    try:
        with transaction.atomic():
            return CouponRedemption.objects.create(
                coupon=coupon,
                customer=customer if customer and customer.is_authenticated else None,
                customer_email=customer_email
                or (customer.email if customer and customer.is_authenticated else ""),
                reference=reference,
                discount_ttc=promotion_discount(promotion=coupon.promotion, basket_ttc=basket_ttc),
            )
    except IntegrityError as exc:  # cannot happen under the coupon lock; say so loudly if it does
        raise InvalidCoupon("This order already used the coupon.", detail={"reason": "duplicate"}) from exc


@dataclass(frozen=True)
class Benefit:
    """What a customer's standing gives on every basket (``CustomerBenefit``); NONE for anybody else."""

    discount_percent: Decimal = Decimal("0.00")
    free_shipping: bool = False
    early_access: bool = False
    source: str = ""
    label: str = ""  # shown to the customer: the tier's name ("Gold member -5 %")


NO_BENEFIT = Benefit()


def customer_benefit(customer: User | None) -> Benefit:
    """The standing benefits of ``customer`` (a loyalty tier's discount, free shipping, early
    access), the same on the web and at the till. Anonymous shoppers have none."""
    if customer is None or not customer.is_authenticated or not customer.pk:
        return NO_BENEFIT
    row = CustomerBenefit.objects.filter(customer_id=customer.pk).first()
    if row is None:
        return NO_BENEFIT
    return Benefit(
        discount_percent=row.discount_percent,
        free_shipping=row.free_shipping,
        early_access=row.early_access,
        source=row.source,
        label=row.label,
    )


def set_customer_benefit(
    *,
    customer_id: int,
    discount_percent: Decimal,
    free_shipping: bool,
    early_access: bool,
    source: str,
    label: str = "",
) -> None:
    """Grant (or, with all empty, take back) a customer's standing benefits."""
    if not discount_percent and not free_shipping and not early_access:
        CustomerBenefit.objects.filter(customer_id=customer_id).delete()
        return
    CustomerBenefit.objects.update_or_create(
        customer_id=customer_id,
        defaults={
            "discount_percent": discount_percent,
            "free_shipping": free_shipping,
            "early_access": early_access,
            "source": source[:40],
            "label": label[:60],
        },
    )


# --- personal coupons -----------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a till


def new_coupon_code(prefix: str) -> str:
    """``PREFIX-XXXX-XXXX``: 40 bits from ``secrets``, not guessable."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"


@transaction.atomic
def create_personal_coupon(
    *,
    customer_id: int | None,
    origin: str,
    name: str,
    value: Decimal,
    kind: str = DiscountKind.FIXED,
    valid_days: int,
    prefix: str,
    source_key: str | None = None,
    channel: str = Channel.ANY,
    min_basket_ttc: Decimal = Decimal("0"),
    starts_at: dt.datetime | None = None,
) -> Coupon:
    """A single-use coupon only ``customer_id`` may use (``_validate`` refuses anybody else; None: a
    guest's, anybody holding the code), on its
    own promotion (by code only, every store and the web unless ``channel`` says otherwise), valid
    ``valid_days`` from ``starts_at`` (now). With a ``source_key`` it is made once: a second call
    returns the first coupon. Used by loyalty (rewards, birthday, win-back, tier welcome) and, later,
    marketing."""
    if origin not in CouponOrigin.values:
        raise ValueError(f"unknown coupon origin {origin!r}")
    if value <= 0 or valid_days <= 0:
        raise ValueError("a personal coupon needs a positive value and validity")
    if source_key is not None:
        existing = Coupon.objects.select_related("promotion").filter(source_key=source_key).first()
        if existing is not None:
            return existing
    starts_at = starts_at or timezone.now()
    promotion = Promotion.objects.create(
        name=name[:120],
        kind=kind,
        value=value,
        channel=channel,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(days=valid_days),
        min_basket_ttc=min_basket_ttc,
        requires_coupon=True,
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Coupon.objects.create(
                    promotion=promotion,
                    code=new_coupon_code(prefix),
                    max_uses=1,
                    max_uses_per_customer=1,
                    customer_id=customer_id,
                    origin=origin,
                    source_key=source_key,
                )
        except IntegrityError:
            if source_key is not None and Coupon.objects.filter(source_key=source_key).exists():
                raise  # made by a concurrent call: the caller's transaction must not go on
            continue  # a code collision (1 in 10^12): draw again
    raise RuntimeError("could not draw a free coupon code")


# --- seasonal promotions --------------------------------------------------------------------------


@transaction.atomic
def schedule_promotion(*, promotion_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> Promotion:
    """A seasonal promotion goes live from ``starts_at`` until ``ends_at`` (a campaign's e-mail
    schedules it). Early access, when set, keeps its lead over the start."""
    promotion = Promotion.objects.select_for_update().get(pk=promotion_id)
    if promotion.early_access_starts_at is not None:
        lead = promotion.starts_at - promotion.early_access_starts_at
        promotion.early_access_starts_at = starts_at - lead
    promotion.starts_at, promotion.ends_at, promotion.is_active = starts_at, ends_at, True
    promotion.save(update_fields=["starts_at", "ends_at", "is_active", "early_access_starts_at"])
    events.publish(PricesChanged())
    return promotion


@transaction.atomic
def set_promotion_active(*, promotion_id: int, active: bool) -> None:
    """Switch a promotion on or off (a cancelled campaign takes its promotion down)."""
    if Promotion.objects.filter(pk=promotion_id).exclude(is_active=active).update(is_active=active):
        events.publish(PricesChanged())


# --- internals ------------------------------------------------------------------------------------


def _live_promotions(
    *,
    channel: str,
    location: Location | None,
    at: dt.datetime | None,
    early_access: bool = False,
    shop_id: int | None = None,
):
    """Promotions running at ``at``; with ``early_access``, also those whose early-access window
    (``early_access_starts_at <= at < starts_at``) is open; of every shop, or of ``shop_id``."""
    at = at or timezone.now()
    started = Q(starts_at__lte=at)
    if early_access:
        started |= Q(early_access_starts_at__isnull=False, early_access_starts_at__lte=at)
    return Promotion.objects.filter(
        started,
        promotions_of_shop(shop_id),
        Q(location__isnull=True) | Q(location=location),
        is_active=True,
        ends_at__gt=at,
        channel__in=[Channel.ANY, channel],
    )


def in_early_access(promotion: Promotion, *, customer: User | None, at: dt.datetime) -> bool:
    """``promotion`` has not started yet but ``customer``'s benefits open it now."""
    return (
        promotion.early_access_starts_at is not None
        and promotion.early_access_starts_at <= at < promotion.starts_at
        and customer_benefit(customer).early_access
    )


def _find_coupon(code: str, *, lock: bool, shop_id: int | None = None) -> Coupon:
    """The coupon, with ``valid_on_shop``: its promotion is of every shop, or of ``shop_id`` (in the
    same query: the cart's pricing asks it on every page)."""
    qs = Coupon.objects.select_related("promotion", "promotion__location").annotate(
        valid_on_shop=ExpressionWrapper(
            promotions_of_shop(shop_id, promotion_field="promotion_id"), output_field=BooleanField()
        )
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    coupon = qs.filter(code__iexact=(code or "").strip()).first()
    if coupon is None:
        raise InvalidCoupon("This coupon code does not exist.", detail={"reason": "unknown", "code": code})
    return coupon


def _validate(
    coupon: Coupon,
    *,
    basket_ttc: Decimal,
    channel: str,
    location: Location | None,
    customer: User | None,
    customer_email: str = "",
    at: dt.datetime | None,
    shop_id: int | None = None,
) -> None:
    promotion = coupon.promotion
    at = at or timezone.now()

    def refuse(reason: str, message: str) -> InvalidCoupon:
        return InvalidCoupon(message, detail={"reason": reason, "code": coupon.code})

    if coupon.customer_id is not None and (
        customer is None or not customer.is_authenticated or customer.pk != coupon.customer_id
    ):
        raise refuse("not_yours", "This coupon is personal: sign in as the customer it was given to.")
    if not promotion.is_active:
        raise refuse("inactive", "This coupon is no longer valid.")
    if at < promotion.starts_at and not in_early_access(promotion, customer=customer, at=at):
        raise refuse("not_started", "This coupon is not valid yet.")
    if at >= promotion.ends_at:
        raise refuse("expired", "This coupon has expired.")
    if promotion.location_id and (location is None or location.pk != promotion.location_id):
        where = promotion.location.name if promotion.location else ""
        raise refuse("wrong_location", f"This coupon is valid only at {where}.")
    if promotion.channel not in (Channel.ANY, channel):
        raise refuse("wrong_channel", "This coupon is not valid on this channel.")
    if not coupon.valid_on_shop:  # type: ignore[attr-defined]  # annotated by _find_coupon
        raise refuse("wrong_shop", "This coupon is not valid on this shop.")
    if basket_ttc < promotion.min_basket_ttc:
        raise refuse("min_basket", f"This coupon needs a basket of at least {promotion.min_basket_ttc} EUR.")
    if coupon.max_uses is not None and coupon.times_used >= coupon.max_uses:
        raise CouponUsedUp("This coupon has been used up.", detail={"reason": "used_up", "code": coupon.code})
    if coupon.max_uses_per_customer is not None:
        who = (
            Q(customer=customer)
            if customer and customer.is_authenticated
            else Q(customer_email__iexact=customer_email)
        )
        if (customer and customer.is_authenticated) or customer_email:
            used = CouponRedemption.objects.filter(who, coupon=coupon).count()
            if used >= coupon.max_uses_per_customer:
                raise refuse("customer_limit", "You have already used this coupon.")


# --- B2B group prices from the ERP (integrations' webservices and files) ---------------------------


@dataclass(frozen=True)
class ErpGroupPrice:
    """One variant's net price (HT, EUR) for a customer group: ``price_ht``, or ``discount_percent``
    off the catalog price; the discount customers see is computed from the two (``UnitPrice``)."""

    sku: str
    customer_group: str
    price_ht: Decimal | None = None
    discount_percent: Decimal | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


def erp_price_list_code(group_code: str, valid_from: dt.date | None, valid_to: dt.date | None) -> str:
    """``erp-<group>`` or ``erp-<group>-<from>-<to>``: one price list per group and validity."""
    import hashlib

    code = f"erp-{group_code}"
    if valid_from or valid_to:
        code += f"-{valid_from:%Y%m%d}" if valid_from else "-x"
        code += f"-{valid_to:%Y%m%d}" if valid_to else "-x"
    if len(code) > 40:
        code = f"erp-{hashlib.sha256(code.encode()).hexdigest()[:32]}"
    return code


@transaction.atomic
def set_erp_group_prices(*, prices: Iterable[ErpGroupPrice]) -> dict[str, int]:
    """Upsert group price-list entries; the same prices twice change nothing. All or nothing:
    ``ValidationFailed`` naming each bad row (``<index>.<field>``) for an unknown SKU or group, a
    negative price, a discount outside 0-100, neither or both of price and discount, dates reversed.
    Returns ``{"created", "updated", "unchanged"}``; publishes ``pricing.prices_changed`` if any changed."""
    from django.utils.translation import gettext as _

    from accounts.models import CustomerGroup
    from catalog.models import Variant

    from .errors import InvalidErpPrices
    from .models import PriceList

    rows = list(prices)
    variants = {
        v.sku: v for v in Variant.objects.filter(sku__in=[r.sku for r in rows]).select_related("product")
    }
    groups = {g.code: g for g in CustomerGroup.objects.filter(code__in=[r.customer_group for r in rows])}
    errors: dict[str, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        if row.sku not in variants:
            problems["sku"] = [_("Unknown SKU %(sku)r.") % {"sku": row.sku}]
        if row.customer_group not in groups:
            problems["customer_group"] = [
                _("Unknown customer group %(code)r.") % {"code": row.customer_group}
            ]
        if (row.price_ht is None) == (row.discount_percent is None):
            problems["price_ht"] = [_("Give either price_ht or discount_percent.")]
        elif row.price_ht is not None and row.price_ht < 0:
            problems["price_ht"] = [_("A price cannot be negative.")]
        elif row.discount_percent is not None and not Decimal("0") <= row.discount_percent <= Decimal("100"):
            problems["discount_percent"] = [_("A discount is between 0 and 100 %.")]
        if row.valid_from and row.valid_to and row.valid_to <= row.valid_from:
            problems["valid_to"] = [_("The end must come after the start.")]
        if problems:
            errors[str(index)] = problems
    if errors:
        raise InvalidErpPrices(_("Some prices are not valid."), detail=errors)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    tz = timezone.get_current_timezone()
    lists: dict[str, PriceList] = {}
    for row in rows:
        code = erp_price_list_code(row.customer_group, row.valid_from, row.valid_to)
        if code not in lists:
            group = groups[row.customer_group]
            lists[code], _created = PriceList.objects.get_or_create(
                code=code,
                defaults={
                    "name": f"ERP {group.name}"[:120],
                    "customer_group": group,
                    "priority": 100,
                    "starts_at": dt.datetime.combine(row.valid_from, dt.time.min, tz)
                    if row.valid_from
                    else None,
                    "ends_at": dt.datetime.combine(row.valid_to, dt.time.min, tz) if row.valid_to else None,
                },
            )
        variant = variants[row.sku]
        if row.price_ht is not None:
            net = row.price_ht.quantize(Decimal("0.0001"))
        else:
            assert row.discount_percent is not None
            net = (variant.price_ht * (1 - row.discount_percent / 100)).quantize(Decimal("0.0001"))
        entry = PriceListEntry.objects.filter(price_list=lists[code], variant=variant, min_quantity=1).first()
        if entry is None:
            PriceListEntry.objects.create(price_list=lists[code], variant=variant, price_ht=net)
            counts["created"] += 1
        elif entry.price_ht != net:
            entry.price_ht = net
            entry.save(update_fields=["price_ht", "updated_at"])  # auto_now needs naming
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if counts["created"] or counts["updated"]:
        events.publish(PricesChanged())
    return counts


def note_entries_removed(*, variant_ids: Iterable[int]) -> None:
    """Price list entries (or whole lists) of these variants are about to be deleted: their price
    changes with nothing left to stamp, so the variants are stamped (the tills' catalog delta)."""
    from catalog import services as catalog

    catalog.touch_variants(variant_ids=set(variant_ids))
