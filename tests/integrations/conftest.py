"""Fixtures of the integrations tests: the invoicing tests' shop and buyers, an integration user
with its API token, and a local HTTP receiver for webhooks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import UserFactory
from tests.invoicing.conftest import (  # noqa: F401  # fixtures, re-exported for these tests
    customer,
    payments_test_provider,
    shop,
    till_sale,
    web_order,
)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on a free local port; ``codes`` are answered in turn (the last repeats)."""

    url: str = ""
    codes: list[int] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_code(self) -> int:
        with self.lock:
            return self.codes.pop(0) if len(self.codes) > 1 else self.codes[0]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with state.lock:
                state.received.append(Received(self.path, dict(self.headers.items()), body))
            code = state.next_code()
            payload = b'{"ok": true}' if code < 300 else b"receiver is down"
            self.send_response(code)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/omni"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def integration_user(db):
    return UserFactory(email="erp@example.com", role=Role.INTEGRATION)


def token_client(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def erp(integration_user) -> APIClient:
    """An API client with the integration user's token."""
    return token_client(integration_user)


@pytest.fixture(autouse=True)
def _report_dir(settings, tmp_path):
    settings.ERP_REPORT_DIR = tmp_path / "reports"
    settings.MEDIA_ROOT = tmp_path / "media"
