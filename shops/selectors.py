"""Which shop a request is on, read from an in-process snapshot of every shop (no query once warm).

The shops and their domains are a handful of rows read by every request, so each process keeps them
all in memory (``ShopInfo``, frozen) with the version they were read at. A change (``shops.services``,
the admin) bumps the version in the shared cache; a process checks that version at most every
``SHOPS_CACHE_SECONDS`` (default 5) and reloads when it moved; the process that made the change
drops its snapshot at once. A missing table row set (a fresh test database) gives the built-in
default shop from settings, so nothing depends on the data migration having run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Q
from django.http.request import split_domain_port
from django.utils.functional import cached_property
from django.utils.translation import get_language

from core import degradation

from .models import (
    CURRENCY_CODES,
    LANGUAGE_CODES,
    Shop,
    ShopDomain,
    ShopMode,
    StaffShopAccess,
    normalise_host,
)
from .tokens import tokens_css

logger = logging.getLogger(__name__)

VERSION_KEY = "shops:version"


@dataclass(frozen=True)
class ShopInfo:
    """What a request needs of its shop: read from the snapshot, never from the database."""

    id: int | None  # None: the built-in default (no row yet)
    code: str
    name: str
    mode: str = ShopMode.B2C
    is_default: bool = False
    logo_url: str = ""
    tokens: dict[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    default_language: str = "fr"
    currencies: tuple[str, ...] = ()
    legal_mentions: dict[str, str] = field(default_factory=dict)
    headlines: dict[str, str] = field(default_factory=dict)  # the home page's, per language
    intros: dict[str, str] = field(default_factory=dict)
    email_from: str = ""
    primary_host: str = ""
    category_ids: frozenset[int] = frozenset()  # chosen categories (their subcategories come with them)
    assortment_category_ids: frozenset[int] = frozenset()  # the chosen ones and all their subcategories
    excluded_product_ids: frozenset[int] = frozenset()

    @property
    def key(self) -> str:
        """For cache keys and the session: stable, never empty."""
        return self.code

    @property
    def is_b2b(self) -> bool:
        return self.mode == ShopMode.B2B

    @property
    def has_assortment(self) -> bool:
        """False: the whole catalog (the default shop's case)."""
        return bool(self.category_ids or self.excluded_product_ids)

    def offers_language(self, code: str) -> bool:
        return code in self.languages

    def legal_mentions_in(self, language: str) -> str:
        return self.legal_mentions.get(language) or next((t for t in self.legal_mentions.values() if t), "")

    @property
    def headline(self) -> str:
        """The home page's headline in the active language ("" : the platform's)."""
        return self.headlines.get((get_language() or "")[:2]) or ""

    @property
    def intro(self) -> str:
        return self.intros.get((get_language() or "")[:2]) or ""

    @cached_property
    def css(self) -> str:
        return tokens_css(self.tokens)

    @cached_property
    def css_version(self) -> str:
        import hashlib

        return hashlib.sha1(self.css.encode(), usedforsecurity=False).hexdigest()[:12]


def builtin_default() -> ShopInfo:
    """The default shop as settings describe it (before the data migration, or after a flush)."""
    return ShopInfo(
        id=None,
        code="main",
        name=getattr(settings, "SHOP_NAME", "") or "Maison Corsica",
        is_default=True,
        languages=tuple(LANGUAGE_CODES),
        default_language=settings.LANGUAGE_CODE,
        currencies=tuple(CURRENCY_CODES),
    )


@dataclass(frozen=True)
class _Snapshot:
    version: int
    by_id: dict[int, ShopInfo]
    by_host: dict[str, ShopInfo]
    default: ShopInfo
    checked_at: float


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def _read_version() -> int:
    try:
        return int(cache.get(VERSION_KEY) or 0)
    except Exception as exc:  # the cache down: keep serving the snapshot we have
        degradation.record("cache")
        degradation.warn("cache", "shops: could not read the version (%r)", exc)
        return -1


def _info(
    shop: Shop,
    *,
    hosts: list[tuple[str, bool]],
    category_ids: Iterable[int],
    excluded: Iterable[int],
    children: dict[int, list[int]],
) -> ShopInfo:
    chosen = frozenset(category_ids)
    primary = next((host for host, is_primary in hosts if is_primary), "")
    langs = [code for code in LANGUAGE_CODES if code in (shop.languages or [])] or list(LANGUAGE_CODES)
    return ShopInfo(
        id=shop.pk,
        code=shop.code,
        name=shop.name,
        mode=shop.mode,
        is_default=shop.is_default,
        logo_url=shop.logo.url if shop.logo else "",
        tokens=dict(shop.tokens or {}),
        languages=tuple(langs),
        default_language=shop.default_language if shop.default_language in langs else langs[0],
        currencies=tuple(c for c in CURRENCY_CODES if c in (shop.currencies or [])) or tuple(CURRENCY_CODES),
        legal_mentions={code: getattr(shop, f"legal_mentions_{code}", "") or "" for code in LANGUAGE_CODES},
        headlines={code: getattr(shop, f"headline_{code}", "") or "" for code in LANGUAGE_CODES},
        intros={code: getattr(shop, f"intro_{code}", "") or "" for code in LANGUAGE_CODES},
        email_from=shop.email_from,  # "" : the platform's (DEFAULT_FROM_EMAIL)
        primary_host=primary,
        category_ids=chosen,
        assortment_category_ids=_with_descendants(chosen, children),
        excluded_product_ids=frozenset(excluded),
    )


def _with_descendants(roots: frozenset[int], children: dict[int, list[int]]) -> frozenset[int]:
    found: set[int] = set()
    todo = list(roots)
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return frozenset(found)


def _category_children() -> dict[int, list[int]]:
    """parent id -> child ids, read through the assortment's relation (no import of catalog)."""
    category_model: Any = Shop._meta.get_field("categories").related_model
    children: dict[int, list[int]] = {}
    for pk, parent_id in category_model._default_manager.values_list("pk", "parent_id"):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(pk)
    return children


def _pairs(through: Any, column: str) -> dict[int, list[int]]:
    """shop id -> ids, from an assortment table (``through``: the M2M's table, typed loosely because
    its far end is a lazy reference to catalog)."""
    found: dict[int, list[int]] = {}
    for shop_id, other_id in through._default_manager.values_list("shop_id", column):
        found.setdefault(shop_id, []).append(other_id)
    return found


def _load(version: int) -> _Snapshot:
    """Five queries: shops, domains, the two assortment tables and the category tree (only when a
    shop has chosen categories)."""
    domains: dict[int, list[tuple[str, bool]]] = {}
    for shop_id, host, is_primary in ShopDomain.objects.values_list("shop_id", "host", "is_primary"):
        domains.setdefault(shop_id, []).append((host, is_primary))
    categories = _pairs(Shop.categories.through, "category_id")
    excluded = _pairs(Shop.excluded_products.through, "product_id")
    children = _category_children() if categories else {}
    by_id = {
        shop.pk: _info(
            shop,
            hosts=domains.get(shop.pk, []),
            category_ids=categories.get(shop.pk, []),
            excluded=excluded.get(shop.pk, []),
            children=children,
        )
        for shop in Shop.objects.all()
    }
    default = next((info for info in by_id.values() if info.is_default), None) or builtin_default()
    by_host = {
        host: by_id[shop_id] for shop_id, hosts in domains.items() for host, _p in hosts if shop_id in by_id
    }
    return _Snapshot(
        version=version, by_id=by_id, by_host=by_host, default=default, checked_at=time.monotonic()
    )


def _current() -> _Snapshot:
    global _snapshot
    snap = _snapshot
    now = time.monotonic()
    if snap is not None and now - snap.checked_at < getattr(settings, "SHOPS_CACHE_SECONDS", 5):
        return snap
    version = _read_version()
    if snap is not None and (version == snap.version or version == -1):
        snap = _Snapshot(snap.version, snap.by_id, snap.by_host, snap.default, now)
        _snapshot = snap
        return snap
    with _lock:
        try:
            snap = _load(version)
        except (DatabaseError, RuntimeError) as exc:
            # The database unreachable (or not allowed: the API schema built while tests are being
            # collected): serve what we had, else the built-in default shop, and try again next time.
            logger.warning(
                "shops not loaded, %s: %s", "keeping the last ones" if snap else "the default shop", exc
            )
            if snap is not None:
                return snap
            return _Snapshot(version=-2, by_id={}, by_host={}, default=builtin_default(), checked_at=0.0)
        _snapshot = snap
    return snap


def forget() -> None:
    """Drop this process's snapshot (after a change; tests between cases)."""
    global _snapshot
    _snapshot = None


def shop_for_host(host: str) -> ShopInfo:
    """The shop that claims ``host`` (a port is ignored), else the default shop."""
    name, _port = split_domain_port(host or "")
    snap = _current()
    return snap.by_host.get(normalise_host(name), snap.default)


def default_shop() -> ShopInfo:
    return _current().default


def shop_by_id(shop_id: int | None) -> ShopInfo | None:
    if shop_id is None:
        return None
    return _current().by_id.get(shop_id)


def all_shops() -> list[ShopInfo]:
    snap = _current()
    return sorted(snap.by_id.values(), key=lambda s: (not s.is_default, s.name)) or [snap.default]


def shop_ids_for_staff(user: object) -> list[int] | None:
    """The shops a member of staff may see; None: every shop (superusers, staff with no limit). 1 query."""
    if getattr(user, "is_superuser", False) or not getattr(user, "pk", None):
        return None
    ids = list(StaffShopAccess.objects.filter(user_id=user.pk).values_list("shop_id", flat=True))  # type: ignore[attr-defined]
    return ids or None


def rows_of_shop(shop: ShopInfo | None, *, field: str = "shop") -> Q:
    """A filter on rows that carry a shop (carts, reviews): the shop's own; the default shop also
    takes the rows written before shops existed (no shop); no shop given: every row."""
    if shop is None or shop.id is None:
        return Q()
    own = Q(**{f"{field}_id": shop.id})
    return own | Q(**{f"{field}__isnull": True}) if shop.is_default else own
