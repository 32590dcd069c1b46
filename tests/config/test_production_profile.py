"""What DJANGO_ENV=production sends that development does not, checked on the real profile in a
child process (settings are read once, at start): the language cookie's flags, the API docs closed
to the anonymous."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()  # every request secure=True: production redirects plain HTTP
setlang = client.post("/i18n/setlang/", {"language": "it", "next": "/it/"}, secure=True)
cookie = setlang.cookies[settings.LANGUAGE_COOKIE_NAME]
schema = client.get("/api/schema/", secure=True)
# (the Swagger page itself needs collectstatic's manifest in production: fetched only when refused)
docs = client.get("/api/docs/", secure=True) if not settings.API_DOCS_PUBLIC or settings.DEBUG else None
csp = client.get("/robots.txt", secure=True)["Content-Security-Policy"]
print(json.dumps({
    "csp": csp,
    "setlang": setlang.status_code,
    "cookie": {"value": cookie.value, "secure": bool(cookie["secure"]), "httponly": bool(cookie["httponly"]),
               "samesite": cookie["samesite"]},
    "schema": [schema.status_code, schema["Content-Type"], schema.content.decode()[:200]],
    "docs": [docs.status_code, docs.get("Location", "")] if docs else None,
}))
"""


def _probe(**env: str) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "API_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_ALLOWED_HOSTS": "testserver", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production() -> dict:
    return _probe(
        DJANGO_ENV="production", DJANGO_SECRET_KEY="p" * 50, CSP_REPORT_URI="https://csp.example.com/r"
    )


@pytest.fixture(scope="module")
def development() -> dict:
    return _probe()


def test_production_sends_the_language_cookie_secure_httponly_and_samesite_lax(production):
    assert production["setlang"] == 302
    assert production["cookie"] == {"value": "it", "secure": True, "httponly": True, "samesite": "Lax"}


def test_development_keeps_the_language_cookie_usable_over_plain_http(development):
    assert development["cookie"] == {"value": "it", "secure": False, "httponly": True, "samesite": "Lax"}


def test_production_refuses_the_schema_and_the_docs_to_the_anonymous(production):
    status, content_type, body = production["schema"]
    assert (status, content_type) == (401, "application/json")
    assert json.loads(body)["code"] == "not_authenticated"
    assert production["docs"] == [302, "/admin/login/?next=/api/docs/"]


def test_development_serves_the_schema_and_docs_to_anybody(development):
    assert development["schema"][0] == 200 and "openapi" in development["schema"][2]
    assert development["docs"] == [200, ""]


def test_production_can_open_the_docs_with_api_docs_public():
    opened = _probe(DJANGO_ENV="production", DJANGO_SECRET_KEY="p" * 50, API_DOCS_PUBLIC="true")
    assert opened["schema"][0] == 200 and "openapi" in opened["schema"][2]


def test_production_reports_csp_violations_where_csp_report_uri_says(production, development):
    assert production["csp"].endswith("; report-uri https://csp.example.com/r")
    assert "connect-src 'self' wss://testserver" in production["csp"]
    assert "report-uri" not in development["csp"]
