"""One savepoint per operation, not one per layer: services that other services call.

A service owns its transaction (``transaction.atomic``): called alone it opens one, called inside a
caller's transaction it takes a savepoint, so a caller that catches its refusal keeps going with
nothing of it written. A till sale calls the order, stock and journal services in a row and catches
none of their errors: every savepoint below the sale's own is two round trips (``SAVEPOINT``,
``RELEASE``) that protect nothing, since any error rolls the whole sale back to its own savepoint.

``nested_atomic`` is ``transaction.atomic`` for such a service; ``one_savepoint()`` is what the
calling service says around the calls whose errors it lets through::

    @nested_atomic  # the sale's savepoint (none when its caller said ``one_savepoint()`` too)
    def record_sale(...):
        with one_savepoint():
            order = record_store_order(...)  # @nested_atomic: joins the sale's block, no savepoint
            sell_many(...)                   # @nested_atomic: likewise

Inside ``one_savepoint()`` a ``nested_atomic`` service joins the enclosing atomic block without a
savepoint (``transaction.atomic(savepoint=False)``; outside any block it opens the transaction, as
``transaction.atomic`` does): an error it raises marks that block for rollback, and the block rolls
back to its own savepoint when the error reaches it. Outside ``one_savepoint()``, it is plain
``transaction.atomic``. So ``one_savepoint()`` is only for code that catches no error of the
services it calls (an ``except`` around one of them, without an atomic block of its own in between,
would find the transaction unusable); code that catches keeps its own ``transaction.atomic()``
around the call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

_JOINED: ContextVar[bool] = ContextVar("core_transactions_joined", default=False)


def nested_atomic(func: Callable[P, R]) -> Callable[P, R]:
    """``transaction.atomic``, joining the enclosing block without a savepoint inside ``one_savepoint()``."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(savepoint=not _JOINED.get()):
            return func(*args, **kwargs)

    return wrapper


@contextmanager
def one_savepoint() -> Iterator[None]:
    """Inside: ``nested_atomic`` services join the caller's atomic block (see the module docstring),
    or, outside any, the transaction the first of them opens. Around calls whose errors all propagate."""
    token = _JOINED.set(True)
    try:
        yield
    finally:
        _JOINED.reset(token)
