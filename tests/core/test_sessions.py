"""core.sessions: cached_db sessions where an unreachable cache is a miss, never a 500."""

import pytest
from django.contrib.sessions.models import Session

from core.sessions import SessionStore

pytestmark = pytest.mark.django_db

UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_a_session_is_saved_and_read_back_through_the_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    store = SessionStore()
    store["cart_token"] = "abc"
    store.save()

    Session.objects.all().delete()  # read from the cache alone now
    assert SessionStore(store.session_key)["cart_token"] == "abc"


def test_with_the_cache_unreachable_sessions_live_in_the_database(settings):
    settings.CACHES = UNREACHABLE
    store = SessionStore()
    store["cart_token"] = "abc"
    store.save()  # a new key: exists() asks the cache first
    store.cycle_key()  # what a sign-in does

    again = SessionStore(store.session_key)
    assert again["cart_token"] == "abc"
    assert Session.objects.filter(session_key=store.session_key).exists()
    assert again.exists(store.session_key) and not again.exists("nope" * 8)
