"""Counters of the times this process served something degraded instead of failing.

A dependency that is down (the Redis cache, the database pool exhausted) must not take pages down:
the code that falls back calls ``record("cache")`` and the operator reads the counts on ``/healthz``
(``"degraded": {"cache": 12}``). The counts are per process and reset on restart: they say "this
worker has been degrading, look at its logs", they are not a metrics store (the cache may be the
very thing that is down, so they cannot live there).

``warn`` logs a warning at most once per ``interval`` seconds per name, so a dependency that is down
for an hour writes a line every minute, not one per request.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger("core.degradation")

_lock = threading.Lock()
_counts: dict[str, int] = {}
_last_warned: dict[str, float] = {}

WARN_INTERVAL = 60.0


def record(name: str) -> None:
    """One request (or call) was served degraded because of ``name``."""
    with _lock:
        _counts[name] = _counts.get(name, 0) + 1


def counts() -> dict[str, int]:
    """``{name: times served degraded}`` since this process started."""
    with _lock:
        return dict(_counts)


def warn(name: str, message: str, *args: object, interval: float = WARN_INTERVAL) -> bool:
    """Log ``message`` as a warning unless one was logged for ``name`` less than ``interval`` s ago."""
    now = time.monotonic()
    with _lock:
        last = _last_warned.get(name)
        if last is not None and now - last < interval:
            return False
        _last_warned[name] = now
    logger.warning(message, *args)
    return True


def reset() -> None:
    """Forget every count and warning (tests)."""
    with _lock:
        _counts.clear()
        _last_warned.clear()
