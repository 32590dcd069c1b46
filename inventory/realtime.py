"""The live stock push: after a change commits, its figures go to the location's Channels group.

Messages a client of ``/ws/stock/`` receives (``inventory.consumers.StockConsumer``)::

    {"type": "snapshot", "locations": ["AJA", ...], "cursor": "2026-11-29T21:18:00.000000+00:00",
     "since": null, "levels": [{"sku", "location", "on_hand", "reserved", "available", "version"}, ...]}
    {"type": "stock.changed", "sku", "location", "on_hand", "reserved", "available", "version"}
    {"type": "error", "code", "message"}

``version`` grows with every change of that level, so a client that receives two messages out of
order (they can come through different processes), or a change it already saw in a snapshot,
keeps the higher one.

**Changes since a cursor.** Every snapshot carries a ``cursor``; a client that comes back (a tablet
woken up, a dropped connection, a page that rendered the levels) passes the last one it got as
``since`` and receives only the levels changed since then (``since`` echoed; ``null``: a whole
snapshot), kilobytes instead of every level of the store. The cursor is the moment the snapshot was
read less ``STOCK_WS_CURSOR_MARGIN_SECONDS``: a change written by a transaction that was still open
when the snapshot was read (its ``updated_at`` is earlier than its commit) falls inside the margin
and comes again; one the client already has is dropped by its ``version``. A cursor older than
``STOCK_WS_DELTA_MAX_AGE_SECONDS``, or in the future, gets a whole snapshot.

The group message is the ``stock.changed`` dict itself: Channels routes its ``type`` to the
consumer's ``stock_changed`` handler. Groups are ``stock.<location code>``; location codes are
slugs, so the name is always a valid Channels group name.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from core import degradation, metrics

if TYPE_CHECKING:
    from .models import StockLevel

logger = logging.getLogger(__name__)

GROUP_PREFIX = "stock."
LEVEL_FIELDS = ("sku", "location", "on_hand", "reserved", "available", "version")
SENT_AT = "sent_at"  # in the group message only, never forwarded to a client


def location_group(location_code: str) -> str:
    return f"{GROUP_PREFIX}{location_code}"


def level_message(level: StockLevel) -> dict[str, Any]:
    return {
        "type": "stock.changed",
        "sku": level.variant.sku,
        "location": level.location.code,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.on_hand - level.reserved,
        "version": level.version,
    }


def snapshot_message(
    *,
    locations: list[str],
    levels: list[dict[str, Any]],
    cursor: dt.datetime,
    since: dt.datetime | None = None,
) -> dict[str, Any]:
    return {
        "type": "snapshot",
        "locations": list(locations),
        "cursor": cursor.isoformat(),
        "since": since.isoformat() if since is not None else None,
        "levels": levels,
    }


def snapshot_cursor(read_at: dt.datetime) -> dt.datetime:
    """The cursor of a snapshot read at ``read_at``: a little earlier (see the module's docstring)."""
    return read_at - dt.timedelta(seconds=settings.STOCK_WS_CURSOR_MARGIN_SECONDS)


def parse_since(value: Any, *, now: dt.datetime) -> dt.datetime | None:
    """A client's ``since``: the datetime to send changes from, or ``None`` for a whole snapshot (no
    cursor, too old, in the future). ``ValueError`` for something that is not a cursor."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("since: a cursor from a snapshot")
    since = dt.datetime.fromisoformat(value)  # ValueError on garbage
    if since.tzinfo is None:
        raise ValueError("since: a cursor from a snapshot (with its offset)")
    if since > now or now - since > dt.timedelta(seconds=settings.STOCK_WS_DELTA_MAX_AGE_SECONDS):
        return None
    return since


def forwarded(event: dict[str, Any]) -> dict[str, Any]:
    """What a socket receives for a group message: exactly the documented keys."""
    return {"type": "stock.changed", **{key: event[key] for key in LEVEL_FIELDS}}


def observe_push_lag(event: dict[str, Any]) -> None:
    """A consumer got a group message: how long since its commit pushed it (``stock_push_lag_seconds``)."""
    sent_at = event.get(SENT_AT)
    if isinstance(sent_at, int | float):
        metrics.STOCK_PUSH_LAG.observe(max(time.time() - sent_at, 0.0))


def error_message(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


def broadcast_level(message: dict[str, Any]) -> None:
    """Send one committed change to its location's group. Never raises: stock is already committed.

    Called from ``transaction.on_commit`` in the services, i.e. from sync code: a request, a Celery
    task, a management command, or a thread that ``sync_to_async`` runs for a consumer.

    Redis down: the first push waits at most ``STOCK_PUSH_TIMEOUT`` seconds, then pushes are skipped
    for ``PUSH_PAUSE_SECONDS`` (counted as ``degraded.stock_push`` on ``/healthz``, a warning a minute),
    so a sale answers at once instead of waiting for Redis once per stock level it changed.
    """
    global _paused_until
    layer = get_channel_layer()
    if layer is None:
        return
    if time.monotonic() < _paused_until:
        degradation.record(PUSH_COUNTER)
        return
    group = location_group(message["location"])
    # When it left (wall clock, any process): the consumers observe the push lag (core.metrics).
    message = {**message, SENT_AT: time.time()}
    try:
        if _process_local(layer):
            # The in-memory layer lives in one process and its queues in one event loop: go through
            # async_to_sync, which returns to the consumer's loop when there is one (tests, demo).
            async_to_sync(layer.group_send)(group, message)
        else:
            _publisher().publish(layer, group, message)
    except Exception as exc:  # a push that fails must not fail the sale; clients resync on reconnect
        _paused_until = time.monotonic() + PUSH_PAUSE_SECONDS
        degradation.record(PUSH_COUNTER)
        degradation.warn(
            PUSH_COUNTER,
            "stock push failed for %s@%s (%r): pushes paused for %.0f s",
            message.get("sku"),
            message.get("location"),
            exc,
            PUSH_PAUSE_SECONDS,
        )


PUSH_COUNTER = "stock_push"
PUSH_PAUSE_SECONDS = 10.0
_paused_until = 0.0


def resume_pushes() -> None:
    """Forget a pause (tests)."""
    global _paused_until
    _paused_until = 0.0


def _process_local(layer: Any) -> bool:
    from channels.layers import InMemoryChannelLayer

    return isinstance(layer, InMemoryChannelLayer)


class _Publisher:
    """One event loop in a daemon thread that publishes for the whole process.

    ``async_to_sync`` from plain sync code (a Celery task, a command, a script) makes a new event loop
    per call, and channels_redis a new Redis connection per loop: about 10 ms per message. Here the
    loop, and so the layer's Redis connection, lives as long as the process: a publish costs one
    round trip to Redis. Messages are published in call order (one loop, FIFO lock in the layer).
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="stock-push", daemon=True)
        self.thread.start()

    def publish(self, layer: Any, group: str, message: dict[str, Any]) -> None:
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), self.loop)
        try:
            future.result(timeout=settings.STOCK_PUSH_TIMEOUT)
        except BaseException:
            future.cancel()  # do not leave it stuck in the loop, in front of the next messages
            raise


_publisher_lock = threading.Lock()
_publisher_instance: _Publisher | None = None


def _publisher() -> _Publisher:
    """The process's publisher; a new one after a fork (a thread does not survive ``fork``)."""
    global _publisher_instance
    current = _publisher_instance
    if current is not None and current.pid == os.getpid() and current.thread.is_alive():
        return current
    with _publisher_lock:
        if (
            _publisher_instance is None
            or _publisher_instance.pid != os.getpid()
            or not _publisher_instance.thread.is_alive()
        ):
            _publisher_instance = _Publisher()
        return _publisher_instance
