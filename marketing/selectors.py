"""Reads the storefront asks marketing for: the "For you" lists, cached per shopper, and the
wishlist page (its queries fixed whatever the size).

``marketing.recommendations`` computes them: one fingerprint query over the bought orders (an
aggregate over every order: it grows with the history), the model itself from the cache (or one
query over order lines when a sale changed it), then two queries to keep published products in
stock. A page asks for the same list again and again while the shopper browses, so the result (a
list of product ids) is kept in Django's cache ``RECOMMENDATIONS_FOR_YOU_CACHE_SECONDS`` (5 min):

- signed in: keyed by the customer (and, on the cart, by the cart's products);
- a guest's cart: keyed by its products only (item-to-item: the same cart gets the same list).

What can be stale for those minutes: a product that has just sold out, or one the customer has just
bought; the product cards are rendered fresh, and an out-of-stock card shows as such.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from accounts.models import User
from catalog.models import Variant
from inventory import selectors as stock
from pricing import selectors as price_selectors
from pricing.models import Channel as PriceChannel

from . import recommendations
from .models import WishlistItem

CACHE_PREFIX = "marketing:for-you"


def _ttl() -> int:
    return int(getattr(settings, "RECOMMENDATIONS_FOR_YOU_CACHE_SECONDS", 300))


def _cached(key: str, compute: Callable[[], list[int]]) -> list[int]:
    ttl = _ttl()
    if ttl <= 0:
        return compute()
    found = cache.get(key)
    if isinstance(found, list):
        return found
    picks = compute()
    cache.set(key, picks, ttl)
    return picks


def _digest(ids: Iterable[int]) -> str:
    return hashlib.sha1(",".join(str(pk) for pk in sorted(set(ids))).encode()).hexdigest()[:16]


def for_customer(user: User, *, limit: int = 4) -> list[int]:
    """Product ids "for you" in the portal: from everything the customer bought, web and tills."""
    return _cached(
        f"{CACHE_PREFIX}:customer:{user.pk}:{limit}",
        lambda: recommendations.recommend_for_customer(user, limit=limit),
    )


def for_cart(
    product_ids: Iterable[int],
    *,
    user: User | AbstractBaseUser | AnonymousUser | None = None,
    exclude: Iterable[int] = (),
    limit: int = 4,
) -> list[int]:
    """Product ids "for you" on the cart: bought with what is in it (item-to-item), never one of
    its products nor of ``exclude``; for a signed-in customer, not what they already bought either."""
    in_cart, excluded = list(product_ids), list(exclude)
    if not in_cart:
        return []
    customer = user if isinstance(user, User) else None
    who = f"customer:{customer.pk}" if customer is not None else "guest"
    key = f"{CACHE_PREFIX}:cart:{who}:{_digest(in_cart)}:{_digest(excluded)}:{limit}"
    return _cached(
        key,
        lambda: recommendations.recommend_for_products(in_cart, exclude=excluded, limit=limit, user=customer),
    )


# --- wishlist -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WishlistRow:
    wish: WishlistItem
    price: Decimal | None  # TTC, EUR, public web price (the variant's, or the product's lowest)
    dropped: bool  # below the price when wished
    in_stock: bool
    image_url: str


def wishlist_rows(*, customer: User) -> list[WishlistRow]:
    """The portal's "My wishlist": each wish with its price now and whether it is in stock. 5 queries."""
    wishes = list(
        WishlistItem.objects.filter(customer=customer, product__is_published=True)
        .select_related("product", "variant", "store")
        .prefetch_related("product__images")
    )
    if not wishes:
        return []
    variants = list(
        Variant.objects.filter(product_id__in={w.product_id for w in wishes}, is_active=True).select_related(
            "product__vat_rate"
        )
    )
    prices = price_selectors.display_prices(variants=variants, channel=PriceChannel.WEB)
    lowest: dict[int, Decimal] = {}
    for variant in variants:
        gross = prices[variant.pk].gross_eur
        lowest[variant.product_id] = min(gross, lowest.get(variant.product_id, gross))
    in_stock = stock.products_in_stock({w.product_id for w in wishes})
    rows = []
    for wish in wishes:
        price = (
            prices[wish.variant_id].gross_eur if wish.variant_id in prices else lowest.get(wish.product_id)
        )
        images = list(wish.product.images.all())
        image = images[0] if images else None
        rows.append(
            WishlistRow(
                wish=wish,
                price=price,
                dropped=bool(price is not None and wish.reference_price and price < wish.reference_price),
                in_stock=wish.product_id in in_stock,
                image_url=(image.image.url if image.image else image.url) if image else "",
            )
        )
    return rows
