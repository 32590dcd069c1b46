"""Reads the storefront asks marketing for: the "For you" lists, cached per shopper.

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

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from accounts.models import User

from . import recommendations

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
