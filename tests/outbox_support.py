"""Fixtures and helpers for the outbox tests: the broker taken down and brought back, a real worker.

- ``broker_down``: the Celery app not eager, its broker a closed port (``redis://127.0.0.1:1/0``):
  every publish is refused, as when Redis is stopped. Restored (and the breaker closed) afterwards.
- ``broker_back(app)``: the broker is the test Redis again (``REDIS_URL``).
- ``CeleryWorker``: ``celery -A config worker`` in a child process, on the test database (by its
  test name: PostgreSQL only) and the test Redis, e-mails written to files in a directory. Stopped by
  its pid, always.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings

from core import outbox
from core.models import OutboxMessage

__all__ = ["broker_down", "celery_worker"]

CLOSED_BROKER = "redis://127.0.0.1:1/0"


def _forget_connections(app) -> None:
    """Drop the app's pooled broker connections and producers: after ``broker_url`` changes, a pooled
    one would still point at the old address (which test ran before decides whether one is pooled)."""
    app._pool = None  # not closed: kombu's registry shares pools by address, the old one may serve again
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down() -> Iterator[object]:
    from config.celery_app import app

    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = CLOSED_BROKER
    _forget_connections(app)
    outbox.reset_breaker()
    yield app
    app.conf.task_always_eager, app.conf.broker_url = previous
    _forget_connections(app)
    outbox.reset_breaker()


def broker_back(app: object) -> None:
    app.conf.broker_url = settings.REDIS_URL  # type: ignore[attr-defined]
    _forget_connections(app)
    outbox.reset_breaker()
    purge_broker()


def wait_for(condition: Callable[[], bool], *, timeout: float = 120.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what or condition}")


def delivered(message_id: object) -> bool:
    return OutboxMessage.objects.filter(pk=message_id, delivered_at__isnull=False).exists()


class CeleryWorker:
    """``celery -A config worker`` (solo pool) against the test database and Redis."""

    def __init__(self, mail_dir: Path) -> None:
        from bench._common import ROOT, child_env, database_url

        self.mail_dir = mail_dir
        env = child_env(
            DATABASE_URL=database_url(settings.DATABASES["default"]),
            REDIS_URL=settings.REDIS_URL,
            EMAIL_URL=f"filemail:///{mail_dir}",  # django-environ drops one leading slash
            DB_CONN_MAX_AGE="0",
            CELERY_TASK_ALWAYS_EAGER="false",
            DJANGO_ALLOW_ASYNC_UNSAFE=None,
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-c", "1"]
            + ["--loglevel=warning", "--without-gossip", "--without-mingle", "--without-heartbeat"]
            + ["-n", f"outbox-test-{os.getpid()}@%h"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )

    def mails(self) -> list[tuple[str, str]]:
        """(To, Subject) of every e-mail the worker sent, from the file backend's files."""
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(b"-" * 79):
                if chunk.strip():
                    message = message_from_bytes(chunk.strip())
                    found.append((str(message["To"]), str(message["Subject"])))
        return found

    def queue_empty(self, app: object) -> bool:
        """Nothing waits on the default queue (the worker took every message)."""
        with app.connection_for_write() as connection:  # type: ignore[attr-defined]
            return connection.default_channel.client.llen("celery") == 0

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def purge_broker() -> None:
    """Empty the test Redis of Celery messages other tests published with no worker to run them
    (and of unacknowledged ones a worker would restore on start)."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    client.close()


@pytest.fixture
def celery_worker(tmp_path: Path) -> Iterator[CeleryWorker]:
    purge_broker()
    worker = CeleryWorker(tmp_path / "mail")
    worker.mail_dir.mkdir()
    try:
        yield worker
    finally:
        worker.stop()
