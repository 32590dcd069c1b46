"""Request ids: from X-Request-ID (when sane) or made, returned, in every log line, carried into the
Celery tasks the request enqueues; JSON lines with LOG_FORMAT=json."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.http import HttpResponse
from django.test import RequestFactory

from config.celery_app import app
from core import logs
from tests.ops.support import log_something

pytestmark = pytest.mark.django_db
HEX32 = re.compile(r"^[0-9a-f]{32}$")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_lines():
    """The "tests.ops" logger's lines, through the filter and formatter of LOG_FORMAT=json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RequestIdFilter())
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("tests.ops")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_a_sane_incoming_id_is_kept_and_returned(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42:edge_1")

    assert response["X-Request-ID"] == "lb-7f3a.42:edge_1"


@pytest.mark.parametrize("sent", ["has space", 'quote"', "x" * 129, "new\nline", "", "é"])
def test_an_insane_or_missing_id_is_replaced(client, settings, sent):
    settings.REDIS_URL = ""
    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)

    assert HEX32.match(response["X-Request-ID"])


def test_each_request_gets_its_own_id(client, settings):
    settings.REDIS_URL = ""
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]

    assert HEX32.match(first) and HEX32.match(second) and first != second
    assert logs.current_request_id() is None  # nothing left behind after the request


def test_an_eager_task_enqueued_by_a_request_logs_the_requests_id(eager_celery, json_lines):
    def view(request):
        logging.getLogger("tests.ops").warning("in the view")
        log_something.delay("in the task")
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="req-eager-1")
    response = logs.RequestIdMiddleware(view)(request)

    lines = json_lines()
    assert response["X-Request-ID"] == "req-eager-1"
    assert [(line["message"], line["request_id"], line.get("task_name")) for line in lines] == [
        ("in the view", "req-eager-1", None),
        ("in the task", "req-eager-1", "tests.ops.log_something"),
    ]
    assert lines[1]["level"] == "WARNING" and lines[1]["logger"] == "tests.ops" and lines[1]["task_id"]


def test_a_worker_takes_the_id_from_the_task_headers(json_lines):
    """What a worker runs: the message's ``request_id`` header, no request around it."""
    log_something.apply(kwargs={"message": "on the worker"}, headers={"request_id": "from-the-web-9"})

    [line] = json_lines()
    assert line["request_id"] == "from-the-web-9"
    assert line["task_name"] == "tests.ops.log_something"
    assert logs.current_request_id() is None  # the worker's next task starts clean


def test_a_bad_header_is_not_trusted_by_the_worker(json_lines):
    log_something.apply(kwargs={"message": "x"}, headers={"request_id": "evil\nline"})

    assert json_lines()[0]["request_id"] is None


@pytest.mark.redis
def test_a_task_published_during_a_request_carries_the_id_in_its_headers(settings):
    """The message as it sits in the real broker (Redis), before any worker takes it."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False  # publish for real, as with a worker
    broker = redis.Redis.from_url(str(app.conf.broker_url))
    broker.delete("celery")

    def view(request):
        log_something.apply_async(kwargs={"message": "queued"})
        return HttpResponse("ok")

    try:
        logs.RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-queued-3"))
        [raw] = broker.lrange("celery", 0, -1)
    finally:
        app.conf.task_always_eager = previous
        broker.delete("celery")
        broker.close()

    message = json.loads(raw)
    assert message["headers"]["request_id"] == "req-queued-3"
    assert message["headers"]["task"] == "tests.ops.log_something"


def _log_a_line(**env: str) -> str:
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('ops.check').warning('stock pushed to %s', 'AJA')"
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "DJANGO_ENV")}
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_log_format_json_writes_one_json_object_per_line():
    line = json.loads(_log_a_line(LOG_FORMAT="json"))

    assert line["level"] == "WARNING"
    assert line["logger"] == "ops.check"
    assert line["message"] == "stock pushed to AJA"
    assert line["request_id"] is None
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", line["time"])


def test_the_console_format_stays_human_in_development():
    line = _log_a_line()

    assert line.startswith("WARNING ")
    assert line.endswith("ops.check [-] stock pushed to AJA")
