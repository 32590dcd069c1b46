"""Redis hung: a sale's stock push waits at most STOCK_PUSH_TIMEOUT once, then pushes pause."""

from __future__ import annotations

import socket
import time

import pytest
from django.test import override_settings

from core import degradation
from inventory import realtime
from inventory import services as stock
from inventory.models import StockLevel
from tests.factories import LocationFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hung_redis():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


@pytest.fixture(autouse=True)
def _fresh():
    degradation.reset()
    realtime.resume_pushes()
    yield
    realtime.resume_pushes()


def test_sales_do_not_wait_for_a_hung_redis_once_a_push_failed(
    hung_redis, django_capture_on_commit_callbacks
):
    aja, tee = LocationFactory(code="AJA"), VariantFactory(sku="TEE")
    stock.receive_stock(variant=tee, location=aja, quantity=5)
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": hung_redis, "socket_connect_timeout": 0.25}]},
        }
    }
    timings = []
    with override_settings(CHANNEL_LAYERS=layers, STOCK_PUSH_TIMEOUT=0.3):
        for n in range(3):
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                stock.sell_stock(variant=tee, location=aja, quantity=1, reference=f"S-{n}")
            timings.append(time.monotonic() - started)

    assert 0.3 <= timings[0] < 2.0  # the first push waited for the 0.3 s timeout (not 5 s)
    assert max(timings[1:]) < 0.25  # the next ones did not wait at all
    assert degradation.counts() == {"stock_push": 3}
    assert StockLevel.objects.get(variant=tee, location=aja).on_hand == 2  # every sale went through
