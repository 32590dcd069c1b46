"""``/ws/stock/``: the live stock of the locations a user may watch.

Protocol (see ``inventory.realtime`` for the message shapes):

- connect with ``?locations=AJA,BAS`` (default: every location the user may watch) and optionally
  ``?skus=A,B`` (default: every SKU); a POS tablet adds ``?token=<DRF token>``, a browser sends its
  session cookie;
- the server joins the locations' groups, THEN sends one ``snapshot``, then every ``stock.changed``
  of those locations and SKUs. Joining first means no change can fall between the snapshot's read
  and the subscription; a change that lands in both is told apart by its ``version``;
- the client may send ``{"action": "snapshot"}`` at any time for a fresh snapshot;
- ``?since=<cursor>`` (or ``{"action": "snapshot", "since": <cursor>}``): only the levels changed since
  that snapshot's ``cursor`` (``inventory.realtime``); a malformed cursor closes the connection with
  4400 (an ``invalid`` error in reply to the action);
- close codes: 4401 not authenticated, 4403 a location the user may not watch (a cashier asking for
  another store, an unknown or inactive location), 4400 a malformed query (more than ``MAX_SKUS``
  SKUs or ``MAX_LOCATIONS`` locations), 1009 a message over ``STOCK_WS_MAX_MESSAGE_BYTES``, 4429 a
  client that keeps asking for snapshots after being told to wait.

Bounds (both consumers, per connection): ``STOCK_WS_SNAPSHOTS_PER_MINUTE`` snapshot requests in any
60 s (the one sent on connect is free); beyond, an ``{"type": "error", "code": "rate_limited",
"retry_after": s}``; as many refused again within the minute and the socket is closed with 4429.
Messages are parsed by ``core.safe_json`` (nesting, NUL, surrogates: an ``bad_json`` error).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from typing import TYPE_CHECKING, Any, cast

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from core import metrics, safe_json
from core.errors import PermissionDenied
from core.ws_auth import query_params

from . import realtime
from .permissions import default_watched_locations, readable_location_codes
from .selectors import level_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY_REQUESTS = 4429
CLOSE_MESSAGE_TOO_BIG = 1009  # RFC 6455

MAX_SKUS = 500
MAX_LOCATIONS = 100
SNAPSHOT_WINDOW_SECONDS = 60.0
REFUSED = object()  # read_message: the message was refused and the client told


class StockAccessDenied(Exception):
    pass


def _split(values: list[str]) -> list[str]:
    """``["AJA,BAS", "NCE"]`` -> ``["AJA", "BAS", "NCE"]``: repeated or comma-separated, both work."""
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return list(dict.fromkeys(out))  # de-duplicated, order kept


@database_sync_to_async
def resolve_locations(user: User | AnonymousUser | None, requested: list[str]) -> list[str]:
    """The location codes this socket follows; raises ``StockAccessDenied`` if any is not allowed."""
    if not requested:
        default = list(default_watched_locations(user).order_by("code").values_list("code", flat=True))
        if not default:
            raise StockAccessDenied("no location to watch")
        return default
    try:
        return readable_location_codes(user, requested)  # the REST stock list's rule too
    except PermissionDenied as exc:
        raise StockAccessDenied(str(exc.message)) from exc


@database_sync_to_async
def snapshot_levels(
    *, locations: list[str], skus: list[str] | None, since: dt.datetime | None = None
) -> tuple[list[dict[str, Any]], dt.datetime]:
    """The levels (changed since ``since``, if given) and the snapshot's cursor."""
    cursor = realtime.snapshot_cursor(timezone.now())
    return level_rows(skus=skus, location_codes=locations, changed_since=since), cursor


class BoundedClientMixin:
    """Per-connection bounds on what a client sends: message size, JSON, snapshot requests; and the
    ``websocket_connections`` gauge (``core.metrics``) of the sockets that were let in."""

    _snapshot_requests: deque[float]
    _refused_snapshots: int
    _counted: tuple[str, list[str]] | None = None

    def count_connection(self, consumer: str, locations: list[str]) -> None:
        for code in locations:
            metrics.WEBSOCKETS.labels(consumer, code).inc()
        self._counted = (consumer, list(locations))

    async def disconnect(self, code: int) -> None:
        counted, self._counted = self._counted, None
        if counted is not None:
            consumer, locations = counted
            for location in locations:
                metrics.WEBSOCKETS.labels(consumer, location).dec()

    async def read_message(self, text_data: str | None) -> Any:
        """The parsed message, or ``REFUSED`` (the client was told, or closed)."""
        consumer = cast("AsyncJsonWebsocketConsumer", self)
        if text_data is not None and len(text_data) > settings.STOCK_WS_MAX_MESSAGE_BYTES:
            await consumer.send_json(
                realtime.error_message(
                    "message_too_large", f"Messages are at most {settings.STOCK_WS_MAX_MESSAGE_BYTES} bytes."
                )
            )
            await consumer.close(code=CLOSE_MESSAGE_TOO_BIG)
            return REFUSED
        try:
            return safe_json.loads(text_data or "")
        except ValueError:
            await consumer.send_json(realtime.error_message("bad_json", "Send JSON objects."))
            return REFUSED

    async def snapshot_allowed(self) -> bool:
        """True if this snapshot request is within ``STOCK_WS_SNAPSHOTS_PER_MINUTE``; else the client
        gets a ``rate_limited`` error (False), and a client that keeps asking is disconnected."""
        consumer = cast("AsyncJsonWebsocketConsumer", self)
        if not hasattr(self, "_snapshot_requests"):
            self._snapshot_requests, self._refused_snapshots = deque(), 0
        now = time.monotonic()
        while self._snapshot_requests and now - self._snapshot_requests[0] >= SNAPSHOT_WINDOW_SECONDS:
            self._snapshot_requests.popleft()
        limit = settings.STOCK_WS_SNAPSHOTS_PER_MINUTE
        if len(self._snapshot_requests) < limit:
            self._snapshot_requests.append(now)
            self._refused_snapshots = 0
            return True
        self._refused_snapshots += 1
        if self._refused_snapshots > limit:
            await consumer.close(code=CLOSE_TOO_MANY_REQUESTS)
            return False
        retry_after = max(1, round(SNAPSHOT_WINDOW_SECONDS - (now - self._snapshot_requests[0])))
        await consumer.send_json(
            {
                **realtime.error_message(
                    "rate_limited", f"At most {limit} snapshots a minute: you have the live changes."
                ),
                "retry_after": retry_after,
            }
        )
        return False


class StockConsumer(BoundedClientMixin, AsyncJsonWebsocketConsumer):
    locations: list[str]
    skus: frozenset[str] | None

    async def connect(self) -> None:
        self.groups = []
        self.locations, self.skus = [], None
        # Accept before refusing, so the client sees our close code (a handshake refused before
        # accept reaches a browser as an anonymous 1006) and knows not to retry.
        await self.accept()
        # The auth middleware's lazy proxy of the signed-in user or AnonymousUser.
        user = cast("User | AnonymousUser | None", self.scope.get("user"))
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        params = query_params(self.scope)
        skus = _split(params.get("skus", []))
        requested = _split(params.get("locations", []))
        try:
            since = realtime.parse_since(next(iter(params.get("since", [])), None), now=timezone.now())
        except ValueError:
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        if len(skus) > MAX_SKUS or len(requested) > MAX_LOCATIONS:
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        try:
            locations = await resolve_locations(user, requested)
        except StockAccessDenied:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.locations = locations
        self.skus = frozenset(skus) if skus else None
        for code in locations:  # subscribe first, then read: no change can slip in between
            group = realtime.location_group(code)
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)
        self.count_connection("stock", locations)
        await self.send_snapshot(since)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        content = await self.read_message(text_data)
        if content is not REFUSED:
            await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        if action == "snapshot":
            try:
                since = realtime.parse_since(content.get("since"), now=timezone.now())
            except ValueError as exc:
                await self.send_json(realtime.error_message("invalid", str(exc)))
                return
            if await self.snapshot_allowed():
                await self.send_snapshot(since)
        elif action == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json(realtime.error_message("unknown_action", "Known actions: snapshot, ping."))

    async def send_snapshot(self, since: dt.datetime | None = None) -> None:
        levels, cursor = await snapshot_levels(
            locations=self.locations, skus=sorted(self.skus) if self.skus else None, since=since
        )
        await self.send_json(
            realtime.snapshot_message(locations=self.locations, levels=levels, cursor=cursor, since=since)
        )

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message.get("type") == "stock.changed":
            # The hot path touches no database: skip the close_old_connections() that Channels runs
            # before every handler, a hop to the one DB thread that every socket of the process
            # would queue for (200 sockets: 200 hops per change). Our DB work goes through
            # database_sync_to_async, which does that cleanup itself.
            await self.stock_changed(message)
        else:
            await super().dispatch(message)

    async def stock_changed(self, event: dict[str, Any]) -> None:
        """A committed change of one of our locations (group message type ``stock.changed``)."""
        realtime.observe_push_lag(event)
        if self.skus is not None and event.get("sku") not in self.skus:
            return
        await self.send_json(realtime.forwarded(event))


# --- /ws/availability/: the storefront's public, read-only view ------------------------------------

MAX_PUBLIC_SKUS = 100


@database_sync_to_async
def public_snapshot(skus: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    from .selectors import active_location_codes, availability_rows

    return active_location_codes(), availability_rows(skus)


class AvailabilityConsumer(BoundedClientMixin, AsyncJsonWebsocketConsumer):
    """``/ws/availability/?skus=A,B``: what a product page shows, for anyone, signed in or not.

    Sends only ``available`` per location (never on hand or reserved) for the SKUs asked (at most
    ``MAX_PUBLIC_SKUS``): first ``{"type": "snapshot", "levels": [{"sku", "location", "available",
    "version"}]}``, then ``{"type": "availability", "sku", "location", "available", "version"}`` for
    every committed change. It joins the locations' ``stock.<code>`` groups (the same messages as
    ``/ws/stock/``) and drops the SKUs it was not asked for. Close code 4400: no SKU or too many.
    """

    skus: frozenset[str]

    async def connect(self) -> None:
        self.groups = []
        self.skus = frozenset()
        await self.accept()
        skus = _split(query_params(self.scope).get("skus", []))
        if not skus or len(skus) > MAX_PUBLIC_SKUS or any(len(sku) > 64 for sku in skus):
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        self.skus = frozenset(skus)
        locations, _ = await public_snapshot([])
        for code in locations:  # subscribe first, then read the snapshot
            group = realtime.location_group(code)
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)
        self.count_connection("availability", ["all"])  # every location: one series, not one per store
        await self.send_snapshot()

    async def send_snapshot(self) -> None:
        _, levels = await public_snapshot(sorted(self.skus))
        await self.send_json({"type": "snapshot", "levels": levels})

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        content = await self.read_message(text_data)
        if content is REFUSED:
            return
        action = content.get("action") if isinstance(content, dict) else None
        if action == "snapshot":
            if await self.snapshot_allowed():
                await self.send_snapshot()
        elif action == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json(realtime.error_message("unknown_action", "Known actions: snapshot, ping."))

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message.get("type") == "stock.changed":  # hot path: no database, see StockConsumer.dispatch
            await self.stock_changed(message)
        else:
            await super().dispatch(message)

    async def stock_changed(self, event: dict[str, Any]) -> None:
        realtime.observe_push_lag(event)
        if event.get("sku") not in self.skus:
            return
        await self.send_json(
            {
                "type": "availability",
                "sku": event["sku"],
                "location": event["location"],
                "available": max(int(event["available"]), 0),
                "version": event["version"],
            }
        )
