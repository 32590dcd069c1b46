"""A Redis cache that degrades to "no cache" when Redis cannot be reached, instead of failing pages.

Django's ``RedisCache`` raises ``redis.ConnectionError`` / ``TimeoutError`` from every call when Redis
is down, and by default waits seconds for each (redis-py's 5 s socket timeouts, retried). Every page
reads the cache (the storefront's page-cache versions, DRF throttles, ...), so Redis down would mean
every page down. ``ResilientRedisCache`` is the same backend with three changes:

- short socket timeouts (``socket_connect_timeout`` / ``socket_timeout`` in ``OPTIONS``, from
  ``CACHE_SOCKET_TIMEOUT``) and no retries: an unreachable Redis costs at most that once;
- a connection or timeout error makes the call behave as a miss (``get`` -> default, ``get_many``
  -> ``{}``, ``set`` / ``delete`` / ``add`` do nothing, ``incr`` -> ``ValueError`` as for a missing
  key): the caller renders the page uncached;
- a circuit breaker: after a failure the cache is not tried again for ``CIRCUIT_BREAKER_SECONDS``
  (``OPTIONS``, from ``CACHE_CIRCUIT_BREAKER_SECONDS``), every call is a miss at once; then one call
  tries again. So a page pays the timeout at most once per period and per process, not per call.

Each degraded call is counted (``core.degradation``, shown on ``/healthz`` as ``degraded.cache``) and
a warning is logged at most once a minute. Errors other than connection and timeout (a wrong
command, a serialisation bug) still raise: they are bugs, not outages.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from core import degradation

logger = logging.getLogger(__name__)

T = TypeVar("T")

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError)
DEFAULT_SOCKET_TIMEOUT = 0.25
DEFAULT_BREAKER_SECONDS = 5.0
COUNTER = "cache"


class _Breaker:
    """Shared by every thread's instance of one cache (Django makes one backend object per thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open_until = 0.0
        self.failing = False

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, seconds: float) -> None:
        with self.lock:
            self.open_until = time.monotonic() + seconds
            self.failing = True

    def succeeded(self) -> bool:
        """Record a success; True if the cache had been failing until now."""
        if not self.failing:
            return False
        with self.lock:
            was_failing, self.failing, self.open_until = self.failing, False, 0.0
        return was_failing


_breakers: dict[tuple[str, ...], _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(servers: tuple[str, ...]) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(servers, _Breaker())


def reset_breakers() -> None:
    """Close every circuit (tests)."""
    with _breakers_lock:
        _breakers.clear()


class _ReusingClient(RedisCacheClient):
    """Django's client builds a ``redis.Redis`` for every cache call, and each one copies redis-py's
    ~170 response callbacks: about a tenth of a millisecond a call, several calls a page. One per
    connection pool is enough: ``redis.Redis`` takes a connection from its pool per command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ResilientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that answers a miss while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.breaker_seconds = float(options.pop("CIRCUIT_BREAKER_SECONDS", DEFAULT_BREAKER_SECONDS))
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("retry", Retry(NoBackoff(), 0))  # redis-py retries 3 times by default
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _ReusingClient
        self._breaker = _breaker_for(tuple(self._servers))  # type: ignore[attr-defined]

    def _guard(self, call: Callable[[], T], fallback: Callable[[], T]) -> T:
        if self._breaker.is_open():
            degradation.record(COUNTER)
            return fallback()
        try:
            result = call()
        except OUTAGE_ERRORS as exc:
            self._breaker.trip(self.breaker_seconds)
            degradation.record(COUNTER)
            degradation.warn(
                COUNTER,
                "cache unreachable (%s: %s): serving uncached, next try in %.1f s",
                type(exc).__name__,
                exc,
                self.breaker_seconds,
            )
            return fallback()
        if self._breaker.succeeded():
            logger.warning("cache reachable again")
        return result

    # --- the calls, each with what a miss returns ---------------------------------------------------

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(
            lambda: super(ResilientRedisCache, self).get(key, default, version), lambda: default
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard(lambda: super(ResilientRedisCache, self).get_many(keys, version), dict)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: super(ResilientRedisCache, self).has_key(key, version), lambda: False)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guard(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), lambda: None)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), lambda: False
        )

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._guard(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), lambda: list(data)
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version), lambda: False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: super(ResilientRedisCache, self).delete(key, version), lambda: False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard(lambda: super(ResilientRedisCache, self).delete_many(keys, version), lambda: None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")

        return self._guard(lambda: super(ResilientRedisCache, self).incr(key, delta, version), missing)

    def clear(self) -> None:
        self._guard(lambda: super(ResilientRedisCache, self).clear(), lambda: None)
