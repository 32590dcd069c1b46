"""Local fakes of the delivery providers' HTTP APIs: the real clients (django-anymail's Postmark
backend, ``core.sms.backends.http``) talk HTTP to them on 127.0.0.1.

- Postmark: ``POST /email`` (JSON, ``X-Postmark-Server-Token``) answers
  ``{"To", "SubmittedAt", "MessageID", "ErrorCode": 0, "Message": "OK"}``; a wrong token is
  ``401 {"ErrorCode": 10, ...}``.
- Twilio: ``POST /2010-04-01/Accounts/{sid}/Messages.json`` (form data, basic auth sid:token)
  answers 201 with the message resource (``sid``, ``status: queued``); a bad number is
  ``400 {"code": 21211, "message": ...}`` as Twilio does; wrong credentials ``401 {"code": 20003}``.

``fake.status`` forces an answer (e.g. 503) for outage tests. Every request is recorded in
``fake.requests`` (method, path, headers, raw body) so tests assert exactly what was sent.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

POSTMARK_TOKEN = "postmark-server-token"
TWILIO_SID = "AC0123456789abcdef0123456789abcdef"
TWILIO_TOKEN = "twilio-auth-token"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class FakeProviders:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    status: int | None = None  # force this answer (an outage)
    next_id: int = 0

    def answer(self, request: Recorded) -> tuple[int, dict[str, Any]]:
        self.next_id += 1
        if self.status is not None:
            return self.status, {"message": "Service unavailable"}
        if request.path == "/email":
            if request.headers.get("x-postmark-server-token") != POSTMARK_TOKEN:
                return 401, {"ErrorCode": 10, "Message": "Bad or missing Server API token."}
            to = request.json()["To"]
            return 200, {
                "To": to,
                "SubmittedAt": "2026-06-01T12:00:00.0000000Z",
                "MessageID": f"0a129aee-0000-0000-0000-{self.next_id:012d}",
                "ErrorCode": 0,
                "Message": "OK",
            }
        prefix = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
        if request.path == prefix:
            expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
            if request.headers.get("authorization") != expected:
                return 401, {"code": 20003, "message": "Authenticate", "status": 401}
            form = {k: v[-1] for k, v in request.form().items()}
            if not form.get("To", "").startswith("+33"):
                return 400, {
                    "code": 21211,
                    "message": f"The 'To' number {form.get('To')} is not a valid phone number.",
                    "more_info": "https://www.twilio.com/docs/errors/21211",
                    "status": 400,
                }
            return 201, {
                "sid": f"SM{self.next_id:032d}",
                "account_sid": TWILIO_SID,
                "to": form["To"],
                "from": form.get("From"),
                "body": form["Body"],
                "status": "queued",
            }
        return 404, {"message": "not found"}


@contextlib.contextmanager
def fake_providers() -> Iterator[FakeProviders]:
    fake = FakeProviders()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            recorded = Recorded(
                method="POST",
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            fake.requests.append(recorded)
            status, payload = fake.answer(recorded)
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
