"""``/ws/dashboard/``: an open overview of today learns that today's figures changed.

The socket accepts managers and store managers (``access.scope_for``); a store manager is told only
of their store's changes. The message says which locations changed, never figures: the page then
fetches its KPI block again over HTTP, with the same scoping as any page.
"""

from __future__ import annotations

from typing import Any, cast

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .access import ReportForbidden, Scope, scope_for
from .realtime import GROUP

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


@database_sync_to_async
def _scope(user: Any) -> Scope:
    return scope_for(user)


class DashboardConsumer(AsyncJsonWebsocketConsumer):
    report_scope: Scope | None = None

    async def connect(self) -> None:
        await self.accept()  # then close with our code: the browser sees why
        user = cast(Any, self.scope.get("user"))
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        try:
            self.report_scope = await _scope(user)
        except ReportForbidden:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(GROUP, self.channel_name)
        self.groups = [GROUP]

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("action") == "ping":
            await self.send_json({"type": "pong"})

    async def today_changed(self, event: dict[str, Any]) -> None:
        """Group message ``today.changed`` (``reporting.realtime.announce``)."""
        locations = [int(x) for x in event.get("locations", [])]
        scope = self.report_scope
        if scope is None or (not scope.chain and scope.location_id not in locations):
            return
        await self.send_json({"type": "today.changed"})
