"""GET /healthz: the database and, when configured, Redis; 200 when all are fine, else 503."""

import pytest
from django.db import OperationalError

from core import degradation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_degradation_yet():
    degradation.reset()


def test_healthy_without_redis(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured", "degraded": {}}
    assert "no-cache" in response["Cache-Control"]


def test_unreachable_redis_is_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "redis": "error: ConnectionError",
        "degraded": {},
    }


def test_database_down_is_503(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("core.views.connection.cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "error: OperationalError",
        "redis": "not configured",
        "degraded": {},
    }


@pytest.mark.redis
def test_healthy_with_redis(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "degraded": {}}


def test_needs_no_authentication_and_refuses_writes(client):
    assert client.head("/healthz").status_code in (200, 503)
    assert client.post("/healthz").status_code == 405


def test_shows_what_this_process_served_degraded(client, settings):
    settings.REDIS_URL = ""
    degradation.record("cache")
    degradation.record("cache")

    response = client.get("/healthz")

    assert response.json()["degraded"] == {"cache": 2}
