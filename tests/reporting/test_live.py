"""``/ws/dashboard/`` through the real ASGI application and channel layer (Redis in CI): a sale
committed and its facts refreshed tell the open overviews that may see it, and only those."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.models import Role
from config.asgi import application
from inventory.models import Location
from reporting import tasks
from tests.factories import UserFactory
from tests.inventory.test_realtime import ORIGIN, session_cookie
from tests.realtime_support import _close_db_thread_connections, _private_channel_layer  # noqa: F401

from .conftest import till_sale

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


async def socket_of(user) -> WebsocketCommunicator:
    headers = [ORIGIN, (b"cookie", await sync_to_async(session_cookie)(user))]
    communicator = WebsocketCommunicator(application, "/ws/dashboard/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_a_sale_reaches_the_managers_and_its_store_only(shop):
    manager = await sync_to_async(UserFactory)(role=Role.MANAGER)
    aja = await sync_to_async(UserFactory)(role=Role.STORE_MANAGER, store=shop.aja)
    bastia = await sync_to_async(Location.objects.get)(code="BAS")
    bas = await sync_to_async(UserFactory)(role=Role.STORE_MANAGER, store=bastia)
    cashier = await sync_to_async(UserFactory)(role=Role.CASHIER, store=shop.aja)
    sockets = [await socket_of(user) for user in (manager, aja, bas)]
    refused = await socket_of(cashier)
    closed = await refused.receive_output(timeout=2)
    assert (closed["type"], closed.get("code")) == ("websocket.close", 4403)

    sale = await sync_to_async(till_sale)(shop, [("TEE", 1)], [("cash", "12.50")])
    await sync_to_async(tasks.refresh_order_facts.run)([sale.pk])

    assert await sockets[0].receive_json_from(timeout=3) == {"type": "today.changed"}
    assert await sockets[1].receive_json_from(timeout=3) == {"type": "today.changed"}
    assert await sockets[2].receive_nothing(timeout=0.5)
    for ws in sockets:
        await ws.disconnect()
