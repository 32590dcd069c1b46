"""Wishlists and their alerts: back in stock (online or at a chosen store), price drop, promotion.

- ``add_wish`` / ``remove_wish``: a signed-in customer's heart on a product page (the product, or
  one variant; ``store``: tell me when it is back at that store). The price then (TTC, EUR, public
  web price) is the baseline of price-drop alerts.
- Back in stock: inventory publishes ``stock.level_changed``; ``marketing.subscribers`` queues
  ``restock_alerts`` through the outbox (in the stock write's transaction, only when a level became
  available and someone wishes the product: one indexed query) so the stock write stays quick.
  The task checks the wish was really out of stock (online: no other selling location had it; at
  a store: that store) and alerts once per wish and day (``AlertSent.key`` ``restock:<wish>:<date>``).
- Price drop and promotion: pricing publishes ``pricing.prices_changed`` (no payload), and price
  lists and promotions also start on their own: ``price_alerts`` runs on the event (outbox) and
  hourly (beat). A wish whose price is now below its baseline is alerted once per new price
  (``price:<wish>:<price>``); a live automatic web promotion once per promotion
  (``promotion:<wish>:<promotion id>``). One e-mail per customer lists their wishes concerned.
- Every alert asks ``may_send`` (``marketing_email``) and carries the one-click unsubscribe.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Product, Variant
from core.errors import NotFound
from inventory import selectors as stock
from inventory.models import Location, LocationKind
from pricing import selectors as price_selectors
from pricing.models import Channel as PriceChannel
from pricing.models import Promotion

from . import services
from .models import AlertKind, AlertSent, Channel, WishlistItem

logger = logging.getLogger(__name__)


# --- the wishlist -----------------------------------------------------------------------------------


def _sellable_variants(product: Product) -> list[Variant]:
    return list(product.variants.filter(is_active=True).select_related("product__vat_rate"))


def current_price(*, product: Product, variant: Variant | None = None) -> Decimal | None:
    """The public web price (TTC, EUR): the variant's, or the product's lowest. None when unsold."""
    variants = [variant] if variant is not None else _sellable_variants(product)
    if not variants:
        return None
    prices = price_selectors.display_prices(variants=variants, channel=PriceChannel.WEB)
    return min(p.gross_eur for p in prices.values())


def add_wish(
    *, customer: User, product: Product, variant: Variant | None = None, store: Location | None = None
) -> WishlistItem:
    """Wish for a product (or one of its variants). Idempotent: a second heart keeps the first wish
    (a newly chosen store replaces the old one). ``NotFound`` for an unpublished product, a variant
    of another product, or a location that is not an active store."""
    if not product.is_published:
        raise NotFound(_("No such product."), detail={"product": ["unknown"]})
    if variant is not None and (variant.product_id != product.pk or not variant.is_active):
        raise NotFound(_("No such variant."), detail={"variant": ["unknown"]})
    if store is not None and not (store.is_active and store.kind == LocationKind.STORE):
        raise NotFound(_("No such store."), detail={"store": ["unknown"]})
    with transaction.atomic():
        existing = WishlistItem.objects.select_for_update().filter(
            customer=customer, product=product, variant=variant
        )
        wish = existing.first()
        if wish is not None:
            if store is not None and wish.store_id != store.pk:
                wish.store = store
                wish.save(update_fields=["store"])
            return wish
        try:
            with transaction.atomic():
                return WishlistItem.objects.create(
                    customer=customer,
                    product=product,
                    variant=variant,
                    store=store,
                    reference_price=current_price(product=product, variant=variant),
                )
        except IntegrityError:  # the same heart clicked twice at once
            return WishlistItem.objects.get(customer=customer, product=product, variant=variant)


def remove_wish(*, customer: User, product: Product, variant: Variant | None = None) -> int:
    """Forget a wish (and its alerts' log). Idempotent; returns how many were removed."""
    deleted, _by_model = WishlistItem.objects.filter(
        customer=customer, product=product, variant=variant
    ).delete()
    return 1 if deleted else 0


def wishes_of(customer: User) -> QuerySet[WishlistItem]:
    """A customer's wishes, newest first, with what the wishlist page shows."""
    return (
        WishlistItem.objects.filter(customer=customer)
        .select_related("product", "variant", "store")
        .prefetch_related("product__images")
    )


def wished_product_ids(customer: User, product_ids: list[int]) -> set[int]:
    return set(
        WishlistItem.objects.filter(customer=customer, product_id__in=product_ids).values_list(
            "product_id", flat=True
        )
    )


# --- back in stock --------------------------------------------------------------------------------


def someone_wishes(product_id: int) -> bool:
    return WishlistItem.objects.filter(product_id=product_id).exists()


def _available_elsewhere(*, variant_ids: list[int], changed: int, location: Location, online: bool) -> bool:
    """Was the item available before this level (``changed`` at ``location``) crossed zero: another
    level had units (online: at any active selling location; for a store wish: at that store)."""
    levels = stock.available_by_variant_and_location(variant_ids)
    if online:
        places = set(Location.objects.filter(sells_online=True, is_active=True).values_list("pk", flat=True))
    else:
        places = {location.pk}
    return any(
        available > 0 and loc in places and (variant, loc) != (changed, location.pk)
        for (variant, loc), available in levels.items()
    )


@dataclass
class Alert:
    wish: WishlistItem
    kind: str
    key: str
    price: Decimal | None = None
    promotion: str = ""


def restock_alerts(
    *, variant_id: int, product_id: int, location_id: int, now: dt.datetime | None = None
) -> int:
    """Alert the customers whose wish this level's return to stock satisfies. Returns e-mails sent."""
    now = now or timezone.now()
    location = Location.objects.filter(pk=location_id, is_active=True).first()
    available = stock.available_by_location(variant_ids=[variant_id], location_ids=[location_id])
    if location is None or available.get((variant_id, location_id), 0) <= 0:
        return 0  # gone again before we looked
    wishes = (
        WishlistItem.objects.filter(product_id=product_id)
        .filter(Q(variant__isnull=True) | Q(variant_id=variant_id))
        .select_related("customer", "product", "variant", "store")
    )
    product_variants = list(
        Variant.objects.filter(product_id=product_id, is_active=True).values_list("pk", flat=True)
    )
    alerts: list[Alert] = []
    for wish in wishes:
        if wish.store_id is not None:
            if wish.store_id != location.pk:
                continue
            online = False
        else:
            if not location.sells_online:
                continue
            online = True
        wanted = [variant_id] if wish.variant_id else product_variants
        if _available_elsewhere(variant_ids=wanted, changed=variant_id, location=location, online=online):
            continue
        alerts.append(
            Alert(wish=wish, kind=AlertKind.RESTOCK, key=f"restock:{wish.pk}:{now.date().isoformat()}")
        )
    return _send(alerts)


# --- price drops and promotions ----------------------------------------------------------------------


def _live_web_promotions(now: dt.datetime) -> list[Promotion]:
    return list(
        Promotion.objects.filter(
            price_selectors.promotions_of_shop(None),  # not one of only some shops: e-mails have no shop
            is_active=True,
            requires_coupon=False,
            location__isnull=True,
            channel__in=[PriceChannel.ANY, PriceChannel.WEB],
            starts_at__lte=now,
            ends_at__gt=now,
        )
    )


def price_alerts(*, now: dt.datetime | None = None) -> int:
    """Alert price drops below the wish's baseline (once per new price) and live automatic web
    promotions (once per promotion). Returns e-mails sent. Queries: a constant number plus the
    alerts' own."""
    now = now or timezone.now()
    wishes = list(
        WishlistItem.objects.select_related("customer", "product", "variant", "store").order_by("pk")
    )
    if not wishes:
        return 0
    product_ids = {w.product_id for w in wishes if w.variant_id is None}
    variants = list(
        Variant.objects.filter(
            Q(product_id__in=product_ids, is_active=True)
            | Q(pk__in=[w.variant_id for w in wishes if w.variant_id is not None])
        ).select_related("product__vat_rate")
    )
    prices = price_selectors.display_prices(variants=variants, channel=PriceChannel.WEB, at=now)
    by_product: dict[int, list[Decimal]] = defaultdict(list)
    for variant in variants:
        if variant.is_active:
            by_product[variant.product_id].append(prices[variant.pk].gross_eur)
    promotions = _live_web_promotions(now)
    alerts: list[Alert] = []
    for wish in wishes:
        if wish.variant_id is not None:
            price = prices[wish.variant_id].gross_eur if wish.variant_id in prices else None
        else:
            price = min(by_product[wish.product_id]) if by_product.get(wish.product_id) else None
        if price is not None and wish.reference_price is not None and price < wish.reference_price:
            alerts.append(Alert(wish=wish, kind=AlertKind.PRICE, key=f"price:{wish.pk}:{price}", price=price))
        for promotion in promotions:
            if promotion.starts_at >= wish.created_at:  # one running when they wished: they saw it
                alerts.append(
                    Alert(
                        wish=wish,
                        kind=AlertKind.PROMOTION,
                        key=f"promotion:{wish.pk}:{promotion.pk}",
                        promotion=promotion.name,
                    )
                )
    return _send(alerts)


# --- sending ------------------------------------------------------------------------------------------


def _send(alerts: list[Alert]) -> int:
    """One e-mail per customer for their new alerts; each alert's key recorded first (once only)."""
    if not alerts:
        return 0
    known = set(AlertSent.objects.filter(key__in=[a.key for a in alerts]).values_list("key", flat=True))
    per_customer: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts:
        if alert.key not in known:
            per_customer[alert.wish.customer_id].append(alert)
    sent = 0
    for customer_alerts in per_customer.values():
        customer = customer_alerts[0].wish.customer
        if not services.may_send(person=customer, channel=Channel.EMAIL):
            continue
        recorded = _record(customer_alerts, email=customer.email)
        if not recorded:
            continue
        message = _message(customer, recorded)
        if message is None:  # consent withdrawn in between: nothing goes, and the keys are freed
            AlertSent.objects.filter(key__in=[a.key for a in recorded]).delete()
            continue
        try:
            message.send()
        except Exception:
            AlertSent.objects.filter(key__in=[a.key for a in recorded]).delete()
            raise
        sent += 1
    return sent


def _record(alerts: list[Alert], *, email: str) -> list[Alert]:
    recorded = []
    for alert in alerts:
        try:
            with transaction.atomic():
                AlertSent.objects.create(wish=alert.wish, kind=alert.kind, key=alert.key, email=email.lower())
        except IntegrityError:  # another worker took this event
            continue
        recorded.append(alert)
    return recorded


def _message(customer: User, alerts: list[Alert]) -> EmailMultiAlternatives | None:
    from . import messages

    language = customer.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        items = [
            {
                "name": alert.wish.product.name,
                "kind": alert.kind,
                "price": alert.price,
                "promotion": alert.promotion,
                "store": alert.wish.store.name if alert.wish.store else "",
                "url": messages.site_url() + reverse("catalog:product", args=[alert.wish.product.slug]),
            }
            for alert in alerts
        ]
        kinds = {alert.kind for alert in alerts}
        if kinds == {AlertKind.RESTOCK}:
            subject = _("Back in stock: an item from your wishlist")
        elif AlertKind.RESTOCK in kinds:
            subject = _("News about your wishlist")
        else:
            subject = _("Price drop on your wishlist")
        context = {"items": items, "wishlist_url": messages.site_url() + reverse("accounts:wishlist")}
        return messages.marketing_email(
            to=customer,
            subject=subject,
            text=render_to_string("marketing/email/wishlist_alert.txt", context),
            html=render_to_string("marketing/email/wishlist_alert.html", context),
        )
