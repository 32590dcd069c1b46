"""Autouse fixtures of the websocket tests; import them by name so pytest sees them:
``from tests.realtime_support import _close_db_thread_connections, _private_channel_layer  # noqa: F401``.
"""

import uuid

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings as django_settings
from django.db import connections


@pytest.fixture(autouse=True)
def _private_channel_layer(settings):
    """The configured channel layer (in-memory, or Redis) with a prefix of this test's own, so that
    nobody else's messages on the same Redis server reach our sockets."""
    layers = {k: dict(v) for k, v in django_settings.CHANNEL_LAYERS.items()}
    if "RedisPubSub" in layers["default"]["BACKEND"]:
        layers["default"]["CONFIG"] = {**layers["default"]["CONFIG"], "prefix": f"t{uuid.uuid4().hex[:12]}"}
    settings.CHANNEL_LAYERS = layers  # channels drops its cached layers on this setting change


@pytest.fixture(autouse=True)
async def _close_db_thread_connections():
    """Consumers and ``sync_to_async`` share one DB thread; close its connection so the test DB can go."""
    yield
    await sync_to_async(connections.close_all)()
