"""``/ws/availability/``: the public, read-only live stock of a product page."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from inventory import services
from tests.factories import LocationFactory, VariantFactory
from tests.realtime_support import _close_db_thread_connections, _private_channel_layer  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def stocked(db):
    aja = LocationFactory(code="AJA", name="Ajaccio")
    bas = LocationFactory(code="BAS", name="Bastia")
    red = VariantFactory(sku="TEE-S-RED")
    blue = VariantFactory(sku="TEE-M-BLUE", product=red.product)
    services.receive_stock(variant=red, location=aja, quantity=10, reference="PO-1")
    services.reserve_stock(variant=red, location=aja, quantity=3, reference="C-1")
    services.receive_stock(variant=blue, location=bas, quantity=2, reference="PO-2")
    return {"aja": aja, "bas": bas, "red": red, "blue": blue}


async def open_socket(query: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/availability/?{query}", headers=[ORIGIN])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_anonymous_snapshot_has_only_available_per_location(stocked):
    ws = await open_socket("skus=TEE-S-RED,TEE-M-BLUE")

    assert await ws.receive_json_from(timeout=2) == {
        "type": "snapshot",
        "levels": [
            {"sku": "TEE-S-RED", "location": "AJA", "available": 7, "version": 2},
            {"sku": "TEE-M-BLUE", "location": "BAS", "available": 2, "version": 1},
        ],
    }
    await ws.disconnect()


async def test_changes_of_the_asked_skus_arrive_after_commit_and_others_do_not(stocked):
    ws = await open_socket("skus=TEE-S-RED")
    await ws.receive_json_from(timeout=2)

    await sync_to_async(services.sell_stock)(
        variant=stocked["blue"], location=stocked["bas"], quantity=1, reference="S-0"
    )
    await sync_to_async(services.sell_stock)(
        variant=stocked["red"], location=stocked["aja"], quantity=2, reference="S-1"
    )

    assert await ws.receive_json_from(timeout=2) == {
        "type": "availability",
        "sku": "TEE-S-RED",
        "location": "AJA",
        "available": 5,
        "version": 3,
    }
    assert await ws.receive_nothing(timeout=0.3)
    await ws.disconnect()


@pytest.mark.parametrize(
    "query", ["", "skus=", "skus=" + ",".join(f"S{i}" for i in range(101)), "skus=" + "X" * 65]
)
async def test_no_sku_or_too_many_is_refused_with_4400(stocked, query):
    ws = await open_socket(query)

    message = await ws.receive_output(timeout=2)

    assert message["type"] == "websocket.close" and message["code"] == 4400


async def test_client_can_ask_for_a_fresh_snapshot_and_bad_json_gets_an_error(stocked):
    ws = await open_socket("skus=TEE-M-BLUE")
    await ws.receive_json_from(timeout=2)

    await ws.send_to(text_data="not json")
    assert (await ws.receive_json_from(timeout=2))["code"] == "bad_json"
    await ws.send_json_to({"action": "snapshot"})
    assert (await ws.receive_json_from(timeout=2))["levels"] == [
        {"sku": "TEE-M-BLUE", "location": "BAS", "available": 2, "version": 1}
    ]
    await ws.disconnect()
