"""The cross-process path: a change committed HERE reaches a websocket served by ANOTHER process.

A separate ``uvicorn config.asgi:application`` serves ``/ws/stock/`` on the same test database and
the same Redis; this process only writes stock through the services, whose after-commit push goes
through Redis to the server's consumer.
"""

import asyncio
import json
import time
import uuid

import pytest
import websockets
from asgiref.sync import sync_to_async
from rest_framework.authtoken.models import Token

from inventory import services
from tests.factories import LocationFactory, VariantFactory, staff
from tests.realtime_support import _close_db_thread_connections  # noqa: F401

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def given_stock() -> tuple[str, object, object, str]:
    # Codes of our own: Redis pub/sub channels are shared by every database of the server.
    code = f"XP{uuid.uuid4().hex[:6].upper()}"
    location = LocationFactory(code=code, name="Cross-process store")
    variant = VariantFactory(sku=f"XP-{code}")
    services.receive_stock(variant=variant, location=location, quantity=12, reference="PO-XP")
    token = Token.objects.create(user=staff())
    return code, location, variant, token.key


async def test_change_committed_here_arrives_on_a_socket_served_by_another_process(asgi_server):
    code, location, variant, token = await sync_to_async(given_stock)()
    url = asgi_server.ws_url(f"/ws/stock/?locations={code}&token={token}")

    async with websockets.connect(url, origin=asgi_server.base_url, open_timeout=10) as ws:
        snapshot = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
        assert snapshot.pop("cursor") and snapshot.pop("since") is None  # a whole snapshot, with its cursor
        assert snapshot == {
            "type": "snapshot",
            "locations": [code],
            "levels": [
                {
                    "sku": variant.sku,
                    "location": code,
                    "on_hand": 12,
                    "reserved": 0,
                    "available": 12,
                    "version": 1,
                }
            ],
        }

        await sync_to_async(services.sell_stock)(
            variant=variant, location=location, quantity=5, reference="S-XP"
        )
        committed_at = time.monotonic()
        change = json.loads(await asyncio.wait_for(ws.recv(), timeout=2))
        elapsed = time.monotonic() - committed_at

    assert change == {
        "type": "stock.changed",
        "sku": variant.sku,
        "location": code,
        "on_hand": 7,
        "reserved": 0,
        "available": 7,
        "version": 2,
    }
    assert elapsed < 2
