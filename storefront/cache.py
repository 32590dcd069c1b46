"""Versioned cache of the anonymous storefront pages.

Nothing is deleted: every cached page's key carries the versions of what it shows, and a change
bumps a version, so the next request misses and renders fresh figures.

- ``product`` version (one per product): its page shows its prices and stock per store. Bumped after
  commit when one of its stock levels changes (``inventory.events.StockLevelChanged``) and when the
  product, a variant or its reviews change (``catalog.events.ProductsChanged``).
- ``listing`` version (one for the whole catalog): home, category and search pages show prices and
  an "in stock" state of many products. Bumped when a product changes, and when a stock level
  crosses zero (in stock <-> out of stock), not on every sale.
- ``global`` version: currency rates, price lists and promotions (``pricing.events.PricesChanged``),
  categories and publishing (``catalog.events.CatalogChanged``) touch every page; bumping it empties all.

The events are subscribed in ``storefront.subscribers`` (after commit).

Every entry also has a TTL (``PAGE_TTL``) so a time-windowed price list starts showing within minutes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.core.cache import cache

logger = logging.getLogger(__name__)

PAGE_TTL = 10 * 60
VERSION_TTL = None  # versions never expire (a lost version only means one more miss)
PREFIX = "sf:"


def _version_key(name: str) -> str:
    return f"{PREFIX}v:{name}"


def _get_versions(names: list[str]) -> dict[str, int]:
    keys = [_version_key(name) for name in names]
    found = cache.get_many(keys)
    return {name: int(found.get(key) or 0) for name, key in zip(names, keys, strict=True)}


def _bump(name: str) -> None:
    key = _version_key(name)
    try:
        try:
            cache.incr(key)
        except ValueError:  # not there yet
            cache.set(key, 1, VERSION_TTL)
    except Exception:  # the cache being down must never fail a sale; entries expire anyway
        logger.exception("could not bump storefront cache version %s", name)


def bump_product(product_id: int) -> None:
    _bump(f"product:{product_id}")


def bump_products(product_ids: Iterable[int]) -> None:
    for product_id in set(product_ids):
        bump_product(product_id)


def bump_listing() -> None:
    _bump("listing")


def bump_all() -> None:
    _bump("global")


def product_changed(product_id: int) -> None:
    """A product's price or content changed: its page and every listing."""
    bump_product(product_id)
    bump_listing()


def stock_changed(*, product_id: int, crossed_zero: bool) -> None:
    """Called after a stock change commits (``StockLevelChanged``, see ``storefront.subscribers``)."""
    bump_product(product_id)
    if crossed_zero:
        bump_listing()


def page_key(*, kind: str, parts: Iterable[object], product_id: int | None = None) -> str:
    """The cache key of one anonymous page: what it is, for whom, and the versions it depends on."""
    names = ["global", "listing"] if product_id is None else ["global", f"product:{product_id}"]
    versions = _get_versions(names)
    raw = "|".join(str(part) for part in parts)
    digest = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    tail = ".".join(str(versions[name]) for name in names)
    return f"{PREFIX}page:{kind}:{digest}:{tail}"


def get_page(key: str):
    try:
        return cache.get(key)
    except Exception:
        logger.exception("storefront cache read failed")
        return None


def set_page(key: str, value) -> None:
    try:
        cache.set(key, value, PAGE_TTL)
    except Exception:
        logger.exception("storefront cache write failed")
