"""The Content-Security-Policy (config/settings.py, core/csp.py): what it says, that inline code
carries the request's nonce, and that no template served to a browser has an inline handler, a
style attribute or an inline script/style without the nonce. The browser check is
tests/browser/test_csp.py."""

import re
from pathlib import Path

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# E-mails are read in mail clients, not under our policy: inline styles are how e-mail is styled.
EMAILS = (
    "orders/email/",
    "logistics/email/",
    "storefront/account/password_reset_email.html",
    "invoicing/email_",
    "marketing/email/",
)
# Rendered to PDF by WeasyPrint in a task, never sent to a browser.
PDFS = (
    "logistics/picking/wave_pdf.html",
    "invoicing/document.html",
    "invoicing/quote.html",
    "reporting/weekly_summary.html",
)
DATA_BLOCK = re.compile(r'type="application/(ld\+)?json"')


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in header.split(";"))  # type: ignore[misc]


def served_templates() -> list[Path]:
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if not str(path.relative_to(TEMPLATES)).startswith(EMAILS + PDFS)
    ]


def test_a_page_without_inline_code_gets_the_strict_policy_and_no_nonce(client):
    response = client.get("/robots.txt")

    assert policy(response) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self' ws://testserver",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
    }


def test_behind_https_the_websocket_allowed_is_wss_on_the_same_host(client):
    response = client.get("/robots.txt", secure=True)

    assert policy(response)["connect-src"] == "'self' wss://testserver"


def test_an_inline_script_runs_only_with_this_responses_nonce(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.get("/api/docs/")

    nonce = re.search(r"'nonce-([^']+)'", policy(response)["script-src"]).group(1)  # type: ignore[union-attr]
    html = response.content.decode()
    assert f'<script nonce="{nonce}">' in html and f'<style nonce="{nonce}">' in html
    assert policy(response)["style-src"] == f"'self' 'nonce-{nonce}'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert nonce not in client.get("/api/docs/")["Content-Security-Policy"]  # a new one each time


def test_redoc_alone_has_its_own_policy_and_scripts_still_need_the_nonce(client):
    client.force_login(UserFactory(is_staff=True))

    directives = policy(client.get("/api/redoc/"))

    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert re.fullmatch(r"'self' 'nonce-[^']+'", directives["script-src"])
    assert directives["worker-src"] == "'self' blob:"


@pytest.mark.parametrize("path", served_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_served_template_has_inline_handlers_style_attributes_or_unnonced_inline_code(path):
    text = path.read_text()

    assert not re.search(r"\son[a-z]+\s*=", text), "an on*= handler: use addEventListener in a static file"
    assert not re.search(r"\sstyle\s*=", text), "a style attribute: use a class"
    assert "javascript:" not in text
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or "nonce=" in tag or DATA_BLOCK.search(tag), tag
    for tag in re.findall(r"<style\b[^>]*>", text):
        assert "nonce=" in tag, tag
