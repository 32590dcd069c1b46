"""``/ws/stock/``: the live stock of the locations a user may watch.

Protocol (see ``inventory.realtime`` for the message shapes):

- connect with ``?locations=AJA,BAS`` (default: every location the user may watch) and optionally
  ``?skus=A,B`` (default: every SKU); a POS tablet adds ``?token=<DRF token>``, a browser sends its
  session cookie;
- the server joins the locations' groups, THEN sends one ``snapshot``, then every ``stock.changed``
  of those locations and SKUs. Joining first means no change can fall between the snapshot's read
  and the subscription; a change that lands in both is told apart by its ``version``;
- the client may send ``{"action": "snapshot"}`` at any time for a fresh snapshot;
- close codes: 4401 not authenticated, 4403 a location the user may not watch (a cashier asking for
  another store, an unknown or inactive location), 4400 a malformed query.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

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

MAX_SKUS = 500


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
def snapshot_levels(*, locations: list[str], skus: list[str] | None) -> list[dict[str, Any]]:
    return level_rows(skus=skus, location_codes=locations)


class StockConsumer(AsyncJsonWebsocketConsumer):
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
        if len(skus) > MAX_SKUS:
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        try:
            locations = await resolve_locations(user, _split(params.get("locations", [])))
        except StockAccessDenied:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.locations = locations
        self.skus = frozenset(skus) if skus else None
        for code in locations:  # subscribe first, then read: no change can slip in between
            group = realtime.location_group(code)
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)
        await self.send_snapshot()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self.send_json(realtime.error_message("bad_json", "Send JSON objects."))
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        if action == "snapshot":
            await self.send_snapshot()
        elif action == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json(realtime.error_message("unknown_action", "Known actions: snapshot, ping."))

    async def send_snapshot(self) -> None:
        levels = await snapshot_levels(
            locations=self.locations, skus=sorted(self.skus) if self.skus else None
        )
        await self.send_json(realtime.snapshot_message(locations=self.locations, levels=levels))

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
        if self.skus is not None and event.get("sku") not in self.skus:
            return
        await self.send_json(realtime.forwarded(event))


# --- /ws/availability/: the storefront's public, read-only view ------------------------------------

MAX_PUBLIC_SKUS = 100


@database_sync_to_async
def public_snapshot(skus: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    from .selectors import active_location_codes, availability_rows

    return active_location_codes(), availability_rows(skus)


class AvailabilityConsumer(AsyncJsonWebsocketConsumer):
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
        await self.send_snapshot()

    async def send_snapshot(self) -> None:
        _, levels = await public_snapshot(sorted(self.skus))
        await self.send_json({"type": "snapshot", "levels": levels})

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self.send_json(realtime.error_message("bad_json", "Send JSON objects."))
            return
        action = content.get("action") if isinstance(content, dict) else None
        if action == "snapshot":
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
