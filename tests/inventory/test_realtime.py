"""``/ws/stock/`` through the real ASGI application: auth, snapshot, after-commit push, filters.

The channel layer is the configured one (in-memory, or Redis when REDIS_URL is set), with a prefix
of its own per test so that nobody else's messages on the same Redis server reach our sockets.
"""

import datetime as dt
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from config.asgi import application
from inventory import realtime, services
from inventory.models import LocationKind, StockLevel
from tests.factories import LocationFactory, VariantFactory, cashier, manager, staff
from tests.realtime_support import _close_db_thread_connections, _private_channel_layer  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def stocked(store, other_store, variant):
    """TSHIRT-M-RED: 10 on hand, 3 reserved at AJA (version 2); 4 on hand at BAS (version 1)."""
    services.receive_stock(variant=variant, location=store, quantity=10, reference="PO-1")
    services.reserve_stock(variant=variant, location=store, quantity=3, reference="C-1")
    services.receive_stock(variant=variant, location=other_store, quantity=4, reference="PO-2")
    return variant


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def open_socket(
    query: str = "", *, user=None, token: str | None = None, origin: tuple[bytes, bytes] | None = ORIGIN
) -> WebsocketCommunicator:
    headers = [origin] if origin else []
    if user is not None:
        headers.append((b"cookie", await sync_to_async(session_cookie)(user)))
    if token is not None:
        query = f"{query}&token={token}" if query else f"token={token}"
    path = "/ws/stock/" + (f"?{query}" if query else "")
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def close_code(communicator: WebsocketCommunicator) -> int | None:
    message = await communicator.receive_output(timeout=2)
    assert message["type"] == "websocket.close"
    return message.get("code")


async def test_snapshot_on_connect_has_the_exact_levels_of_the_asked_locations(stocked):
    user = await sync_to_async(staff)()

    ws = await open_socket("locations=AJA,BAS", user=user)
    before = timezone.now()
    snapshot = await ws.receive_json_from(timeout=2)

    cursor = dt.datetime.fromisoformat(snapshot.pop("cursor"))  # a little before the read (the margin)
    margin = dt.timedelta(seconds=django_settings.STOCK_WS_CURSOR_MARGIN_SECONDS)
    assert before - margin - dt.timedelta(seconds=2) < cursor <= timezone.now() - margin
    assert snapshot == {
        "type": "snapshot",
        "locations": ["AJA", "BAS"],
        "since": None,  # a whole snapshot
        "levels": [
            {
                "sku": "TSHIRT-M-RED",
                "location": "AJA",
                "on_hand": 10,
                "reserved": 3,
                "available": 7,
                "version": 2,
            },
            {
                "sku": "TSHIRT-M-RED",
                "location": "BAS",
                "on_hand": 4,
                "reserved": 0,
                "available": 4,
                "version": 1,
            },
        ],
    }
    await ws.disconnect()


async def test_committed_change_arrives_with_new_figures_and_next_version(store, stocked):
    user = await sync_to_async(staff)()
    ws = await open_socket("locations=AJA", user=user)
    await ws.receive_json_from(timeout=2)  # snapshot

    await sync_to_async(services.sell_stock)(variant=stocked, location=store, quantity=2, reference="S-1")

    assert await ws.receive_json_from(timeout=2) == {
        "type": "stock.changed",
        "sku": "TSHIRT-M-RED",
        "location": "AJA",
        "on_hand": 8,
        "reserved": 3,
        "available": 5,
        "version": 3,
    }
    await ws.disconnect()


async def test_nothing_is_pushed_before_the_transaction_commits(store, stocked):
    user = await sync_to_async(staff)()
    ws = await open_socket("locations=AJA", user=user)
    await ws.receive_json_from(timeout=2)  # snapshot

    def sell_and_look_before_commit() -> bool:
        with transaction.atomic():
            services.sell_stock(variant=stocked, location=store, quantity=1, reference="S-2")
            return async_to_sync(ws.receive_nothing)(timeout=0.5)

    # Given a sale inside an open transaction, the socket hears nothing...
    assert await sync_to_async(sell_and_look_before_commit)() is True
    # ...and right after the commit it gets the change.
    message = await ws.receive_json_from(timeout=2)
    assert (message["on_hand"], message["available"], message["version"]) == (9, 6, 3)
    await ws.disconnect()


async def test_a_rolled_back_change_is_never_pushed(store, stocked):
    user = await sync_to_async(staff)()
    ws = await open_socket("locations=AJA", user=user)
    await ws.receive_json_from(timeout=2)

    def sell_then_roll_back() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.sell_stock(variant=stocked, location=store, quantity=1)
            raise RuntimeError("payment failed")

    await sync_to_async(sell_then_roll_back)()

    assert await ws.receive_nothing(timeout=0.5)
    level = await StockLevel.objects.aget(variant=stocked, location=store)
    assert (level.on_hand, level.version) == (10, 2)
    await ws.disconnect()


async def test_changes_of_other_locations_are_not_forwarded(other_store, stocked):
    user = await sync_to_async(staff)()
    ws = await open_socket("locations=AJA", user=user)
    await ws.receive_json_from(timeout=2)

    await sync_to_async(services.sell_stock)(variant=stocked, location=other_store, quantity=1)

    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


async def test_cashier_gets_their_store_by_default(store, stocked):
    user = await sync_to_async(cashier)(store)

    ws = await open_socket(user=user)
    snapshot = await ws.receive_json_from(timeout=2)

    assert snapshot["locations"] == ["AJA"]
    assert [(lv["location"], lv["available"]) for lv in snapshot["levels"]] == [("AJA", 7)]
    await ws.disconnect()


async def test_cashier_may_follow_the_other_stores_on_request(store, other_store, stocked):
    user = await sync_to_async(cashier)(store)

    ws = await open_socket("locations=AJA,BAS", user=user)
    snapshot = await ws.receive_json_from(timeout=2)
    assert snapshot["locations"] == ["AJA", "BAS"]

    await sync_to_async(services.sell_stock)(variant=stocked, location=other_store, quantity=1)
    change = await ws.receive_json_from(timeout=2)
    assert (change["type"], change["location"]) == ("stock.changed", "BAS")
    await ws.disconnect()


@pytest.mark.parametrize("query", ["locations=ENT", "locations=AJA,ENT", "locations=NOPE"])
async def test_cashier_asking_for_the_warehouse_or_an_unknown_location_is_refused_with_4403(
    store, stocked, query
):
    await sync_to_async(LocationFactory)(code="ENT", kind=LocationKind.WAREHOUSE)
    user = await sync_to_async(cashier)(store)

    ws = await open_socket(query, user=user)

    assert await close_code(ws) == 4403


async def test_staff_asking_for_an_unknown_or_inactive_location_is_refused(store, stocked):
    await sync_to_async(LocationFactory)(code="OLD", is_active=False)
    user = await sync_to_async(manager)()

    for query in ("locations=NOPE", "locations=AJA,OLD"):
        ws = await open_socket(query, user=user)
        assert await close_code(ws) == 4403


async def test_staff_default_is_every_active_location(stocked):
    await sync_to_async(LocationFactory)(code="OLD", is_active=False)
    user = await sync_to_async(manager)()

    ws = await open_socket(user=user)
    snapshot = await ws.receive_json_from(timeout=2)

    assert snapshot["locations"] == ["AJA", "BAS"]
    await ws.disconnect()


async def test_anonymous_is_refused_with_4401(stocked):
    ws = await open_socket("locations=AJA")

    assert await close_code(ws) == 4401


async def test_a_bad_token_is_refused_even_with_a_valid_session(stocked):
    user = await sync_to_async(staff)()

    ws = await open_socket("locations=AJA", user=user, token="not-a-token")

    assert await close_code(ws) == 4401


async def test_token_auth_works(store, stocked):
    user = await sync_to_async(cashier)(store)
    token = await Token.objects.acreate(user=user)

    ws = await open_socket("locations=AJA", token=token.key)
    snapshot = await ws.receive_json_from(timeout=2)
    await sync_to_async(services.sell_stock)(variant=stocked, location=store, quantity=1)
    change = await ws.receive_json_from(timeout=2)

    assert snapshot["locations"] == ["AJA"]
    assert (change["sku"], change["available"], change["version"]) == ("TSHIRT-M-RED", 6, 3)
    await ws.disconnect()


async def test_a_token_client_needs_no_origin_header(store, stocked):
    user = await sync_to_async(cashier)(store)
    token = await Token.objects.acreate(user=user)

    ws = await open_socket("locations=AJA", token=token.key, origin=None)

    assert (await ws.receive_json_from(timeout=2))["type"] == "snapshot"
    await ws.disconnect()


async def test_a_session_from_a_foreign_origin_is_refused(store, stocked):
    user = await sync_to_async(staff)()
    communicator = WebsocketCommunicator(
        application,
        "/ws/stock/?locations=AJA",
        headers=[
            (b"origin", b"https://evil.example"),
            (b"cookie", await sync_to_async(session_cookie)(user)),
        ],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_token_of_an_inactive_user_is_refused(store, stocked):
    user = await sync_to_async(cashier)(store, is_active=False)
    token = await Token.objects.acreate(user=user)

    ws = await open_socket("locations=AJA", token=token.key)

    assert await close_code(ws) == 4401


async def test_skus_filter_limits_snapshot_and_forwarded_changes(store, stocked):
    other = await sync_to_async(VariantFactory)(sku="MUG-BLUE")
    await sync_to_async(services.receive_stock)(variant=other, location=store, quantity=5)
    user = await sync_to_async(staff)()

    ws = await open_socket("locations=AJA&skus=MUG-BLUE", user=user)
    snapshot = await ws.receive_json_from(timeout=2)
    await sync_to_async(services.sell_stock)(variant=stocked, location=store, quantity=1)  # filtered out
    await sync_to_async(services.sell_stock)(variant=other, location=store, quantity=2)
    change = await ws.receive_json_from(timeout=2)

    assert snapshot["levels"] == [
        {"sku": "MUG-BLUE", "location": "AJA", "on_hand": 5, "reserved": 0, "available": 5, "version": 1}
    ]
    assert (change["sku"], change["on_hand"], change["version"]) == ("MUG-BLUE", 3, 2)
    assert await ws.receive_nothing(timeout=0.3)
    await ws.disconnect()


async def test_client_can_ask_for_a_fresh_snapshot(store, stocked):
    user = await sync_to_async(staff)()
    ws = await open_socket("locations=AJA", user=user)
    await ws.receive_json_from(timeout=2)
    await sync_to_async(services.sell_stock)(variant=stocked, location=store, quantity=4)
    await ws.receive_json_from(timeout=2)  # the change

    await ws.send_json_to({"action": "snapshot"})
    snapshot = await ws.receive_json_from(timeout=2)

    assert snapshot["type"] == "snapshot"
    assert [(lv["on_hand"], lv["available"], lv["version"]) for lv in snapshot["levels"]] == [(6, 3, 3)]
    await ws.disconnect()


async def test_a_reconnecting_client_gets_a_fresh_snapshot_first(store, stocked):
    user = await sync_to_async(staff)()
    ws = await open_socket("locations=AJA", user=user)
    await ws.receive_json_from(timeout=2)
    await ws.disconnect()

    await sync_to_async(services.sell_stock)(variant=stocked, location=store, quantity=5)  # missed
    ws = await open_socket("locations=AJA", user=user)
    snapshot = await ws.receive_json_from(timeout=2)

    assert [(lv["on_hand"], lv["available"], lv["version"]) for lv in snapshot["levels"]] == [(5, 2, 3)]
    await ws.disconnect()


async def test_a_client_coming_back_with_its_cursor_gets_only_what_changed(
    store, other_store, stocked, settings
):
    settings.STOCK_WS_CURSOR_MARGIN_SECONDS = 0  # no transaction is open here: the exact changes
    user = await sync_to_async(staff)()
    ws = await open_socket("locations=AJA,BAS", user=user)
    first = await ws.receive_json_from(timeout=2)
    assert len(first["levels"]) == 2
    await ws.disconnect()

    await sync_to_async(services.sell_stock)(variant=stocked, location=store, quantity=5)  # missed
    ws = await open_socket(f"locations=AJA,BAS&since={quote(first['cursor'])}", user=user)
    delta = await ws.receive_json_from(timeout=2)
    assert delta["since"] == first["cursor"] and delta["cursor"] > first["cursor"]
    assert [(lv["location"], lv["on_hand"], lv["version"]) for lv in delta["levels"]] == [("AJA", 5, 3)]

    # the same by message, on the open socket: nothing changed since the last cursor
    await ws.send_json_to({"action": "snapshot", "since": delta["cursor"]})
    nothing = await ws.receive_json_from(timeout=2)
    assert (nothing["since"], nothing["levels"]) == (delta["cursor"], [])
    await ws.disconnect()


async def test_a_cursor_too_old_or_from_the_future_gets_a_whole_snapshot(stocked):
    user = await sync_to_async(staff)()
    for since in (timezone.now() - dt.timedelta(days=2), timezone.now() + dt.timedelta(hours=1)):
        ws = await open_socket(f"locations=AJA,BAS&since={quote(since.isoformat())}", user=user)
        snapshot = await ws.receive_json_from(timeout=2)
        assert (snapshot["since"], len(snapshot["levels"])) == (None, 2)
        await ws.disconnect()


async def test_a_malformed_cursor_is_refused(stocked):
    user = await sync_to_async(staff)()
    for since in ("yesterday", "2026-11-29T10:00:00", "9" * 50):  # not a date; no offset; too long
        headers = [ORIGIN, (b"cookie", await sync_to_async(session_cookie)(user))]
        communicator = WebsocketCommunicator(application, f"/ws/stock/?since={quote(since)}", headers=headers)
        connected, _ = await communicator.connect()
        assert connected and await close_code(communicator) == 4400, since
    ws = await open_socket("locations=AJA", user=user)
    await ws.receive_json_from(timeout=2)
    await ws.send_json_to({"action": "snapshot", "since": {"$gt": ""}})
    error = await ws.receive_json_from(timeout=2)
    assert (error["type"], error["code"]) == ("error", "invalid")
    await ws.disconnect()


async def test_garbage_from_the_client_gets_an_error_not_a_crash(stocked):
    user = await sync_to_async(staff)()
    ws = await open_socket("locations=AJA", user=user)
    await ws.receive_json_from(timeout=2)

    await ws.send_to(text_data="{not json")
    bad_json = await ws.receive_json_from(timeout=2)
    await ws.send_json_to({"action": "drop tables"})
    unknown = await ws.receive_json_from(timeout=2)
    await ws.send_json_to({"action": "snapshot"})
    still_alive = await ws.receive_json_from(timeout=2)

    assert (bad_json["type"], bad_json["code"]) == ("error", "bad_json")
    assert (unknown["type"], unknown["code"]) == ("error", "unknown_action")
    assert still_alive["type"] == "snapshot"
    await ws.disconnect()


async def test_location_codes_with_uppercase_and_hyphens_make_valid_groups():
    location = await sync_to_async(LocationFactory)(code="NICE-Port_2")
    variant = await sync_to_async(VariantFactory)(sku="CAP-L")
    await sync_to_async(services.receive_stock)(variant=variant, location=location, quantity=2)
    user = await sync_to_async(staff)()

    ws = await open_socket("locations=NICE-Port_2", user=user)
    await ws.receive_json_from(timeout=2)
    await sync_to_async(services.sell_stock)(variant=variant, location=location, quantity=1)
    change = await ws.receive_json_from(timeout=2)

    assert realtime.location_group("NICE-Port_2") == "stock.NICE-Port_2"
    assert (change["location"], change["available"]) == ("NICE-Port_2", 1)
    await ws.disconnect()
