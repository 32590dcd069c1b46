"""Per-connection bounds of the stock websockets: snapshot requests a minute, message size, JSON.

Through the real ASGI application and the configured channel layer (in-memory, or Redis when
REDIS_URL is set: the same tests then run on Redis, as tests/inventory/test_realtime.py does).
"""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from inventory import services
from tests.factories import LocationFactory, VariantFactory, staff
from tests.inventory.test_realtime import close_code, open_socket
from tests.realtime_support import _close_db_thread_connections, _private_channel_layer  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def stocked(db, settings):
    settings.STOCK_WS_SNAPSHOTS_PER_MINUTE = 6
    settings.STOCK_WS_MAX_MESSAGE_BYTES = 4096
    aja = LocationFactory(code="AJA", name="Ajaccio")
    variant = VariantFactory(sku="TEE-S-RED")
    services.receive_stock(variant=variant, location=aja, quantity=10, reference="PO-1")
    return variant


async def test_a_client_spamming_snapshots_gets_six_then_rate_limited_then_closed(stocked):
    ws = await open_socket("locations=AJA", user=await sync_to_async(staff)())
    assert (await ws.receive_json_from(timeout=2))["type"] == "snapshot"  # on connect: not counted

    answers = []
    for _ in range(12):
        await ws.send_json_to({"action": "snapshot"})
        answers.append(await ws.receive_json_from(timeout=2))
    await ws.send_json_to({"action": "ping"})  # still served while only told to wait
    pong = await ws.receive_json_from(timeout=2)
    await ws.send_json_to({"action": "snapshot"})  # the 7th refusal in the minute: abuse

    assert [a["type"] for a in answers] == ["snapshot"] * 6 + ["error"] * 6
    assert {(a["code"], a["message"]) for a in answers[6:]} == {
        ("rate_limited", "At most 6 snapshots a minute: you have the live changes.")
    }
    assert all(1 <= a["retry_after"] <= 60 for a in answers[6:])
    assert pong == {"type": "pong"}
    assert await close_code(ws) == 4429


async def test_the_public_availability_socket_has_the_same_bound(stocked):
    ws = WebsocketCommunicator(application, "/ws/availability/?skus=TEE-S-RED", headers=[ORIGIN])
    assert (await ws.connect())[0]
    await ws.receive_json_from(timeout=2)

    answers = []
    for _ in range(7):
        await ws.send_json_to({"action": "snapshot"})
        answers.append(await ws.receive_json_from(timeout=2))

    assert [a["type"] for a in answers] == ["snapshot"] * 6 + ["error"]
    assert answers[-1]["code"] == "rate_limited"
    await ws.disconnect()


async def test_a_message_over_the_size_limit_is_refused_and_the_socket_closed(stocked):
    ws = await open_socket("locations=AJA", user=await sync_to_async(staff)())
    await ws.receive_json_from(timeout=2)

    await ws.send_to(text_data=json.dumps({"action": "snapshot", "pad": "x" * 5000}))

    assert await ws.receive_json_from(timeout=2) == {
        "type": "error",
        "code": "message_too_large",
        "message": "Messages are at most 4096 bytes.",
    }
    assert await close_code(ws) == 1009


@pytest.mark.parametrize(
    "text",
    ["[" * 3000, '{"action": "snapshot\\u0000"}', '{"action": "\\ud800"}', '{"a": NaN}', f'{{"a": {2**64}}}'],
)
async def test_hostile_json_gets_bad_json_and_the_socket_lives(stocked, text):
    ws = await open_socket("locations=AJA", user=await sync_to_async(staff)())
    await ws.receive_json_from(timeout=2)

    await ws.send_to(text_data=text)
    error = await ws.receive_json_from(timeout=2)
    await ws.send_json_to({"action": "ping"})

    assert error == {"type": "error", "code": "bad_json", "message": "Send JSON objects."}
    assert await ws.receive_json_from(timeout=2) == {"type": "pong"}
    await ws.disconnect()


async def test_more_than_100_locations_is_a_4400(stocked):
    query = "locations=" + ",".join(f"L{n}" for n in range(101))
    ws = await open_socket(query, user=await sync_to_async(staff)())

    assert await close_code(ws) == 4400
