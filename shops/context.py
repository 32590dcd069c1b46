"""The shop of the request being served, for the reads that depend on it (the storefront's selectors:
the assortment), the way ``django.utils.translation`` holds the request's language.

``CurrentShopMiddleware`` sets it for the request and resets it afterwards. Outside a request (a
Celery task, a management command, a test calling a selector) there is none: ``current_shop()`` is
None and reads see the whole catalog, as the default shop does. ``using(shop)`` sets it for a block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from .selectors import ShopInfo

_current: ContextVar[ShopInfo | None] = ContextVar("current_shop", default=None)


def current_shop() -> ShopInfo | None:
    return _current.get()


def activate(shop: ShopInfo | None) -> Token[ShopInfo | None]:
    return _current.set(shop)


def deactivate(token: Token[ShopInfo | None]) -> None:
    _current.reset(token)


@contextmanager
def using(shop: ShopInfo | None) -> Iterator[None]:
    token = activate(shop)
    try:
        yield
    finally:
        deactivate(token)
