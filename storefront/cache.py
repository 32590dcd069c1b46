"""Versioned cache of the anonymous storefront pages.

Nothing is deleted: every cached page's key carries the versions of what it shows, and a change
bumps a version, so the next request misses and renders fresh figures.

- ``product`` version (one per product): its page shows its prices and stock per store. Bumped after
  commit when one of its stock levels changes (``inventory.events.StockLevelChanged``) and when the
  product, a variant or its reviews change (``catalog.events.ProductsChanged``).
- ``listing`` version (one for the whole catalog): home, category and search pages show prices and
  an "in stock" state of many products. Bumped when a product changes, and when a stock level
  crosses zero (in stock <-> out of stock), not on every sale.
- ``content`` version (one for the blog): the article list, an article, a simple page and the RSS
  feed show articles and pages (``content.events.ContentChanged``). An article also lists its linked
  products' cards, so it depends on ``listing`` too.
- ``global`` version: currency rates, price lists and promotions (``pricing.events.PricesChanged``),
  categories and publishing (``catalog.events.CatalogChanged``) touch every page; bumping it empties all.

The events are subscribed in ``storefront.subscribers`` (after commit).

Every entry also has a TTL (``PAGE_TTL``) so a time-windowed price list starts showing within minutes.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

from core import degradation, metrics
from shops.context import current_shop

PAGE_TTL = 10 * 60
VERSION_TTL = None  # versions never expire (a lost version only means one more miss)
PREFIX = "sf:"


def _version_key(name: str) -> str:
    return f"{PREFIX}v:{name}"


def _get_versions(names: list[str]) -> dict[str, int]:
    """The versions, 0 for one never bumped. Runs on every page (the menu's category tree): the cache
    being down must not fail it. ``core.cache.ResilientRedisCache`` already answers a miss then; this
    guards any other backend."""
    keys = [_version_key(name) for name in names]
    try:
        found = cache.get_many(keys)
    except Exception as exc:
        _degraded("read versions", exc)
        found = {}
    return {name: int(found.get(key) or 0) for name, key in zip(names, keys, strict=True)}


def _degraded(what: str, exc: Exception) -> None:
    degradation.record("cache")
    degradation.warn("cache", "storefront cache: could not %s (%r): serving uncached", what, exc)


def _bump(name: str) -> None:
    key = _version_key(name)
    try:
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or the cache is unreachable: then nothing happens)
            # ``add``, not ``set``: never move an existing version back to 1 (its old pages would show).
            if not cache.add(key, 1, VERSION_TTL):
                with contextlib.suppress(ValueError):
                    cache.incr(key)
    except Exception as exc:  # the cache being down must never fail a sale; entries expire anyway
        _degraded(f"bump version {name}", exc)


def bump_product(product_id: int) -> None:
    _bump(f"product:{product_id}")


def bump_products(product_ids: Iterable[int]) -> None:
    for product_id in set(product_ids):
        bump_product(product_id)


def bump_listing() -> None:
    _bump("listing")


def bump_content() -> None:
    _bump("content")


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


def dependencies(product_id: int | None) -> list[str]:
    """The versions a page depends on: a product page on its product's, any other on the listing's."""
    return ["global", "listing"] if product_id is None else ["global", f"product:{product_id}"]


# What each blog page shows (``storefront.views.blog``): articles and pages, an article's linked product
# cards (prices, "in stock"), the footer (global).
BLOG_DEPENDENCIES = {
    "blog": ["global", "content"],
    "article": ["global", "content", "listing"],
    "cms_page": ["global", "content"],
    "feed": ["global", "content"],
}


def read_versions(names: list[str]) -> list[int]:
    versions = _get_versions(names)
    return [versions[name] for name in names]


def shop_key() -> str:
    """The request's shop in every key: a page built for one shop (its assortment, its look) is never
    served on another, whatever the host name."""
    shop = current_shop()
    return shop.key if shop is not None else "-"


def page_key(
    *, kind: str, parts: Iterable[object], product_id: int | None = None, versions: list[int] | None = None
) -> str:
    """The cache key of one anonymous page: what it is, for whom, and the versions it depends on
    (``versions``, as ``read_versions(dependencies(product_id))`` returns them, read here if not given)."""
    if versions is None:
        versions = read_versions(dependencies(product_id))
    raw = "|".join(str(part) for part in [shop_key(), *parts])
    digest = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    tail = ".".join(str(version) for version in versions)
    return f"{PREFIX}page:{kind}:{digest}:{tail}"


def get_page(key: str):
    """The cached page or None; counted as a hit or a miss per kind of page (``core.metrics``)."""
    try:
        page = cache.get(key)
    except Exception as exc:
        _degraded("read a page", exc)
        page = None
    kind = key.split(":", 3)[2] if key.startswith(f"{PREFIX}page:") else "other"
    metrics.PAGE_CACHE.labels(kind, "miss" if page is None else "hit").inc()
    return page


def set_page(key: str, value) -> None:
    try:
        cache.set(key, value, PAGE_TTL)
    except Exception as exc:
        _degraded("write a page", exc)


# --- whole responses --------------------------------------------------------------------------------
# The page cache above keeps the rendered main part of a page; the layout around it is still rendered
# for every request. For an anonymous visitor with nothing pending, ``storefront.middleware.
# FullPageCacheMiddleware`` also keeps the whole response, made visitor-neutral (``neutral_body``): no
# CSRF token, an empty cart badge. A hit then runs no view, no query and no template: two cache reads
# (the entry, then the versions it was built at, which must still be current) and the visitor's CSRF
# token put back in.

CSRF_PLACEHOLDER = b"__FULLPAGE_CSRF__"
_CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CART_BADGE = re.compile(rb"(<span [^>]*data-cart-count[^>]*>)\s*\d+\s*(</span>)")


@dataclass(frozen=True)
class FullPage:
    body: bytes  # visitor-neutral (``neutral_body``)
    content_type: str
    kind: str
    dependencies: list[str]
    versions: list[int]  # of ``dependencies``, read before the page was built
    product_id: int | None = None
    sold_out: bool = False

    @property
    def etag(self) -> str:
        # Weak: each visitor's copy differs by its CSRF token, equivalent otherwise.
        digest = hashlib.sha1(self.body, usedforsecurity=False).hexdigest()[:24]
        return f'W/"{digest}"'


def neutral_body(body: bytes) -> bytes:
    """A rendered page without what belongs to its visitor: CSRF tokens, the cart's count."""
    body = _CSRF_VALUE.sub(rb"\g<1>" + CSRF_PLACEHOLDER + rb"\g<2>", body)
    return _CART_BADGE.sub(rb"\g<1>0\g<2>", body)


def full_key(*, scheme: str, host: str, path: str, language: str, currency: str, shop: str) -> str:
    raw = "|".join((shop, scheme, host, path, language, currency))
    return f"{PREFIX}full:{hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()}"


def get_full(key: str) -> FullPage | None:
    """The stored response if every version it was built at is still current, else None."""
    try:
        page = cache.get(key)
        if page is not None and read_versions(page.dependencies) != page.versions:
            page = None
    except Exception as exc:
        _degraded("read a whole page", exc)
        page = None
    if page is not None:
        metrics.PAGE_CACHE.labels(page.kind, "full_hit").inc()
    return page


def set_full(key: str, page: FullPage) -> None:
    try:
        cache.set(key, page, PAGE_TTL)
    except Exception as exc:
        _degraded("write a whole page", exc)
