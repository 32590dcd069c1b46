"""No database connection to be had -> 503 with Retry-After (JSON under /api/, a page elsewhere), not 500.

- Pool exhaustion: a real uvicorn process with a psycopg pool of 2 connections and a 0.5 s pool
  timeout; two requests hold both connections (they wait on a table this test locks), a third page
  and an API call answer 503 ``service_busy``; once the lock goes, everything answers 200.
- Database down: this process's connection pointed at a closed port answers 503
  ``database_unavailable``; pointed back, 200.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import psycopg
import pytest
from django.db import connection

from core import degradation
from tests.storefront.storefront_data import Shop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def fetch(url: str, timeout: float = 30.0) -> tuple[int, dict[str, str], bytes, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            headers = {key.lower(): value for key, value in response.headers.items()}
            return response.status, headers, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        headers = {key.lower(): value for key, value in error.headers.items()}
        return error.code, headers, error.read(), time.monotonic() - started


@pytest.fixture
def pooled_server():
    """uvicorn on the test database with DB_POOL on: at most 2 connections, 0.5 s to get one."""
    from django.conf import settings

    from bench._common import AsgiServer, child_env, database_url

    env = child_env(
        DATABASE_URL=database_url(settings.DATABASES["default"]),
        REDIS_URL="",  # local-memory cache: no page served from a Redis left by another run
        DB_POOL="1",
        DB_POOL_MIN_SIZE="1",
        DB_POOL_MAX_SIZE="2",
        DB_POOL_TIMEOUT="0.5",
        SERVICE_BUSY_RETRY_AFTER="7",
        DJANGO_ALLOW_ASYNC_UNSAFE=None,
    )
    with AsgiServer(env=env) as server:
        yield server


def waiting_on_locks(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone()
    return int(row[0]) if row else 0


def test_an_exhausted_pool_answers_503_with_retry_after_then_recovers(pooled_server):
    from django.conf import settings

    from bench._common import database_url

    product = Shop().tshirt("Calvi tee", aja=3)
    base = pooled_server.base_url
    assert fetch(f"{base}/en/")[0] == 200  # warm: the pool is open

    holder = psycopg.connect(database_url(settings.DATABASES["default"]), autocommit=False)
    observer = psycopg.connect(database_url(settings.DATABASES["default"]), autocommit=True)
    held: list[tuple[int, dict, bytes, float]] = []
    try:
        holder.execute("LOCK TABLE catalog_product IN ACCESS EXCLUSIVE MODE")
        product_page = f"{base}/en/p/{product.slug}/"
        threads = [threading.Thread(target=lambda: held.append(fetch(product_page))) for _ in range(2)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while waiting_on_locks(observer) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_on_locks(observer) == 2  # both pool connections are taken, waiting on the lock

        page = fetch(f"{base}/en/search/?q=tee")
        api = fetch(f"{base}/api/v1/catalog/products/")
    finally:
        holder.rollback()  # releases the lock: the two held requests finish
        holder.close()
        observer.close()
    for thread in threads:
        thread.join(timeout=30)

    print(f"\npool exhausted: page 503 in {page[3]:.2f} s, API 503 in {api[3]:.2f} s")
    status, headers, body, seconds = page
    assert status == 503
    assert headers["retry-after"] == "7"
    assert headers["content-type"].startswith("text/html")
    assert "Service busy" in body.decode()
    assert seconds < 2.0  # the 0.5 s pool timeout, not 10 s
    status, headers, body, seconds = api
    assert status == 503
    assert headers["retry-after"] == "7"
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {
        "code": "service_busy",
        "message": "Too many requests are being served at once; try again in a few seconds.",
        "detail": {"retry_after": 7},
    }
    assert [response[0] for response in held] == [200, 200]  # the held ones were served, late
    assert fetch(f"{base}/en/search/?q=tee")[0] == 200
    assert fetch(f"{base}/api/v1/catalog/products/")[0] == 200
    health = json.loads(fetch(f"{base}/healthz")[2])
    assert health["degraded"] == {"database": 2}


@pytest.fixture
def database_down():
    """This process's connection aimed at a port where nothing listens, until the test ends."""
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    yield
    connection.close()
    connection.settings_dict["PORT"] = port


def test_a_database_that_refuses_connections_answers_503(client, database_down):
    degradation.reset()

    page = client.get("/en/search/?q=tee")
    api = client.get("/api/v1/catalog/products/")
    french = client.get("/fr/search/?q=tee")

    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "Service busy" in page.content.decode()
    assert api.status_code == 503
    assert api["Retry-After"] == "5"
    assert api.json() == {
        "code": "database_unavailable",
        "message": "The service is briefly unavailable; try again in a few seconds.",
        "detail": {"retry_after": 5},
    }
    assert french.status_code == 503
    assert "Service momentanément indisponible" in french.content.decode()
    assert degradation.counts() == {"database": 3}


def test_only_outages_are_503_a_bad_query_stays_a_500():
    """The classification, on real errors: a pool timeout and a refused connection are outages, a
    query bug is not (it stays a 500 with its traceback)."""
    from django.conf import settings
    from django.db import ProgrammingError
    from psycopg_pool import ConnectionPool, PoolTimeout

    from bench._common import database_url
    from core.middleware import unavailable_code

    with pytest.raises(ProgrammingError) as bug, connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM catalog_product")
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect("postgresql://postgres@127.0.0.1:1/none", connect_timeout=2)
    url = database_url(settings.DATABASES["default"])
    with (
        ConnectionPool(url, min_size=1, max_size=1) as pool,
        pool.connection(),
        pytest.raises(PoolTimeout) as busy,
    ):
        pool.getconn(timeout=0.1)

    assert unavailable_code(bug.value) is None
    assert unavailable_code(refused.value) is None  # not wrapped by Django: not from a request's query
    assert unavailable_code(busy.value) == "service_busy"
