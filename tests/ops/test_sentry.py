"""Sentry: off without SENTRY_DSN (nothing initialised, nothing sent); with one, Django and Celery are
reported without personal data. No network: the DSN points nowhere and events are caught before
any transport."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_without_a_dsn_sentry_is_off_and_the_app_serves(client, settings):
    settings.REDIS_URL = ""

    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()
    assert client.get("/healthz").status_code == 200


SCRIPT = """
import json, django, sentry_sdk
django.setup()
client = sentry_sdk.get_client()
sent = []
client.transport.capture_envelope = sent.append  # the outside world stops here: nothing leaves
from django.test import Client
Client().get("/no-such-page")  # a 404 is not reported
try:
    raise LookupError("boom")
except LookupError:
    sentry_sdk.capture_exception()
sentry_sdk.flush(1)
events = [item.payload.json for envelope in sent for item in envelope.items if item.type == "event"]
print(json.dumps({
    "active": client.is_active(),
    "pii": client.options["send_default_pii"],
    "environment": client.options["environment"],
    "integrations": sorted(client.integrations),
    "events": [e["exception"]["values"][0]["type"] for e in events],
}))
"""


def test_with_a_dsn_django_and_celery_are_reported_without_personal_data():
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SENTRY_DSN="http://public@127.0.0.1:9/1",  # discard port; never reached (see SCRIPT)
        SENTRY_ENVIRONMENT="ci",
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["active"] is True
    assert report["pii"] is False
    assert report["environment"] == "ci"
    assert {"django", "celery", "logging"} <= set(report["integrations"])
    assert report["events"] == ["LookupError"]
