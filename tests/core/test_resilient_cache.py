"""core.cache.ResilientRedisCache: Redis unreachable is a miss, fast, logged once, counted; Redis up
is a cache."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from core import cache as resilient
from core import degradation

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


def cache_settings(location: str, **options) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "test-resilient",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, **options},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_counters():
    degradation.reset()
    resilient.reset_breakers()
    yield
    resilient.reset_breakers()


@pytest.fixture
def silent_redis():
    """A port that accepts TCP connections (the kernel's backlog) and never answers: a hung Redis."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


def test_a_refused_connection_is_a_miss_for_every_call():
    with override_settings(CACHES=cache_settings(CLOSED, CIRCUIT_BREAKER_SECONDS=0)):
        cache = caches["default"]

        assert cache.get("k") is None
        assert cache.get("k", "fallback") == "fallback"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.get_or_set("k", 3) == 3
        assert cache.set("k", 1) is None
        assert cache.add("k", 1) is False
        assert cache.set_many({"a": 1}) == ["a"]
        assert cache.has_key("k") is False
        assert cache.touch("k") is False
        assert cache.delete("k") is False
        assert cache.delete_many(["a"]) is None
        with pytest.raises(ValueError):
            cache.incr("k")
        cache.clear()

    assert degradation.counts()["cache"] == 15  # get_or_set is a get, an add and a get again


def test_a_hung_redis_costs_one_socket_timeout_then_the_breaker_answers_at_once(silent_redis, caplog):
    with override_settings(CACHES=cache_settings(silent_redis, CIRCUIT_BREAKER_SECONDS=30)):
        cache = caches["default"]
        with caplog.at_level(logging.WARNING, logger="core.degradation"):
            started = time.monotonic()
            assert cache.get("k") is None
            first = time.monotonic() - started

            started = time.monotonic()
            for _ in range(100):
                assert cache.get_many(["a"]) == {}
            hundred_more = time.monotonic() - started

    assert 0.2 <= first < 1.0  # the 0.25 s read timeout, no retries
    assert hundred_more < 0.1  # the circuit is open: nobody waits for Redis again
    assert degradation.counts() == {"cache": 101}
    warnings = [r for r in caplog.records if r.name == "core.degradation"]
    assert len(warnings) == 1  # one line for the outage, not one per call
    assert "cache unreachable (TimeoutError" in warnings[0].getMessage()


def test_after_the_breaker_period_one_call_tries_again(silent_redis):
    with override_settings(CACHES=cache_settings(silent_redis, CIRCUIT_BREAKER_SECONDS=0.3)):
        cache = caches["default"]
        cache.get("k")
        time.sleep(0.35)

        started = time.monotonic()
        cache.get("k")

    assert time.monotonic() - started >= 0.2  # tried Redis again (and timed out again)


def test_settings_give_the_redis_cache_short_timeouts_and_the_resilient_backend():
    if not settings.REDIS_URL:
        pytest.skip("the Redis cache is configured only with REDIS_URL")
    default = settings.CACHES["default"]
    assert default["BACKEND"] == "core.cache.ResilientRedisCache"
    assert default["OPTIONS"]["socket_timeout"] == default["OPTIONS"]["socket_connect_timeout"] == 0.25


@pytest.mark.redis
def test_with_redis_up_it_is_a_cache():
    with override_settings(CACHES=cache_settings(settings.REDIS_URL)):
        cache = caches["default"]
        cache.delete_many(["k", "n"])
        cache.set("k", {"a": 1}, 30)
        cache.set("n", 1, 30)

        assert cache.get("k") == {"a": 1}
        assert cache.incr("n") == 2
        assert cache.get_many(["k", "n"]) == {"k": {"a": 1}, "n": 2}
        cache.delete_many(["k", "n"])

    assert degradation.counts() == {}
