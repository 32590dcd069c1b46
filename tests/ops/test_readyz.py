"""GET /readyz: database, Redis, migrations applied, Celery broker; 200 when all pass, else 503 naming
the failed checks. Broken services are real closed ports, not mocks."""

import subprocess
import sys

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from bench._common import AsgiServer, child_env
from tests.ops.test_backup import server_url

pytestmark = pytest.mark.django_db

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.mark.redis
def test_ready_when_every_service_answers(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.REDIS_URL

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok", "migrations": "ok", "celery_broker": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_eager_celery_and_no_redis_are_ready(client, settings):
    """The demo: SQLite-like set-up without Redis, tasks run in-process."""
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": "ok",
        "redis": "not configured",
        "migrations": "ok",
        "celery_broker": "eager",
    }


def test_an_unreachable_broker_is_503_naming_it(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {
            "database": "ok",
            "redis": "not configured",
            "migrations": "ok",
            "celery_broker": "error: ConnectionError",
        },
        "failed": ["celery_broker"],
    }


def test_an_unreachable_redis_is_503_naming_it(client, settings):
    settings.REDIS_URL = CLOSED
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]
    assert response.json()["checks"]["redis"] == "error: ConnectionError"


def test_an_unapplied_migration_is_503(client, settings):
    """The record of the last core migration is gone (in this test's transaction): the code has a
    migration the database has not seen, as after a deploy whose migrate step has not run yet."""
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    MigrationRecorder(connection).migration_qs.filter(app="core").order_by("-name").first().delete()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "unapplied: 1"
    assert response.json()["failed"] == ["migrations"]


def test_healthz_stays_the_liveness_probe(client, settings):
    """A broken broker makes the process not ready, but it is alive: /healthz does not look at it."""
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


def test_only_get_and_head(client):
    assert client.post("/readyz").status_code == 405


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_compose_health_check_script_reads_readyz():
    """deploy/healthcheck.py against a real server (uvicorn on the test database): 0 when /readyz
    is 200, 1 when the probe is not."""
    script = [sys.executable, "deploy/healthcheck.py"]
    environ = child_env(DATABASE_URL=server_url(), REDIS_URL=None, CELERY_TASK_ALWAYS_EAGER="1")
    with AsgiServer(env=environ) as server:
        ok = subprocess.run([*script, f"{server.base_url}/readyz"], capture_output=True, timeout=30)
        missing = subprocess.run(
            [*script, f"{server.base_url}/no-such-probe"], capture_output=True, timeout=30
        )

    assert ok.returncode == 0, ok.stderr
    assert missing.returncode == 1
