"""Local fakes of the Stripe and PayPal HTTP APIs: the real SDK clients talk HTTP to them.

One threaded ``http.server`` on 127.0.0.1 serves just the endpoints the payments app uses:

Stripe: ``POST /v1/payment_intents``, ``GET /v1/payment_intents/{id}``, ``POST /v1/refunds``
(form-encoded, ``Idempotency-Key`` replays the first answer).
PayPal: ``POST /v1/oauth2/token``, ``POST /v2/checkout/orders``, ``POST /v2/checkout/orders/{id}/capture``,
``POST /v2/payments/captures/{id}/refund`` (``PayPal-Request-Id`` replays the first answer),
``POST /v1/notifications/verify-webhook-signature``.

Every request is recorded in ``requests`` so tests can assert exactly what was sent. Webhook
signatures: ``stripe_signature`` is Stripe's real scheme (``t=...,v1=HMAC-SHA256(secret, "t.payload")``);
PayPal's verify call answers SUCCESS when ``transmission_sig`` is ``paypal_signature(...)`` of the
transmission id, time, webhook id and event id (a stand-in for PayPal's certificate check).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

STRIPE_KEY = "sk_test_fake_123"
STRIPE_WEBHOOK_SECRET = "whsec_fake_secret"
PAYPAL_CLIENT_ID = "paypal-client-id"
PAYPAL_CLIENT_SECRET = "paypal-client-secret"
PAYPAL_WEBHOOK_ID = "WH-FAKE-0001"
PAYPAL_SIGNING_KEY = b"fake-paypal-signing-key"


def stripe_signature(
    payload: bytes, secret: str = STRIPE_WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    """The ``Stripe-Signature`` header Stripe would send for this payload."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def paypal_signature(*, transmission_id: str, transmission_time: str, webhook_id: str, event_id: str) -> str:
    message = f"{transmission_id}|{transmission_time}|{webhook_id}|{event_id}".encode()
    return base64.b64encode(hmac.new(PAYPAL_SIGNING_KEY, message, hashlib.sha256).digest()).decode()


def paypal_headers(event: dict, *, transmission_id: str = "tx-1", sig: str | None = None) -> dict[str, str]:
    """The HTTP headers PayPal signs a webhook with (as Django test-client kwargs use them)."""
    when = "2026-11-23T10:00:00Z"
    signature = sig or paypal_signature(
        transmission_id=transmission_id,
        transmission_time=when,
        webhook_id=PAYPAL_WEBHOOK_ID,
        event_id=event["id"],
    )
    return {
        "PAYPAL-AUTH-ALGO": "SHA256withRSA",
        "PAYPAL-CERT-URL": "https://api.paypal.com/v1/notifications/certs/CERT-fake",
        "PAYPAL-TRANSMISSION-ID": transmission_id,
        "PAYPAL-TRANSMISSION-SIG": signature,
        "PAYPAL-TRANSMISSION-TIME": when,
    }


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # dict for form or JSON bodies


@dataclass
class FakeState:
    requests: list[Recorded] = field(default_factory=list)
    intents: dict[str, dict] = field(default_factory=dict)
    paypal_orders: dict[str, dict] = field(default_factory=dict)
    replies: dict[tuple[str, str], tuple[int, dict]] = field(default_factory=dict)  # idempotency
    tokens: set[str] = field(default_factory=set)
    fail_next: dict[str, int] = field(default_factory=dict)  # path prefix -> HTTP status, once
    decline_captures: set[str] = field(default_factory=set)  # PayPal order ids whose capture is declined
    captures: dict[str, dict] = field(default_factory=dict)  # PayPal capture id -> {"amount", "refunded"}
    stripe_refunded: dict[str, int] = field(default_factory=dict)  # intent id -> minor units refunded


class FakeProviders:
    def __init__(self) -> None:
        self.state = FakeState()
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="payments-fake", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeProviders:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            tokens = self.state.tokens
            self.state = FakeState(tokens=tokens)  # a cached OAuth token stays valid, as at PayPal

    # --- what tests look at -----------------------------------------------------------------
    def calls(self, method: str, prefix: str) -> list[Recorded]:
        return [r for r in self.state.requests if r.method == method and r.path.startswith(prefix)]

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.ids):06d}"

    def set_intent_status(self, intent_id: str, status: str) -> None:
        with self.lock:
            self.state.intents[intent_id]["status"] = status


class _Handler(BaseHTTPRequestHandler):
    fake: FakeProviders
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    # --- plumbing -----------------------------------------------------------------------------
    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        content_type = self.headers.get("Content-Type", "")
        if "json" in content_type:
            body: Any = json.loads(raw or b"{}")
        else:
            body = dict(parse_qsl(raw.decode()))
        fake = self.fake
        with fake.lock:
            fake.state.requests.append(Recorded(method, path, dict(self.headers.items()), body))
            for prefix, status in list(fake.state.fail_next.items()):
                if path.startswith(prefix):
                    del fake.state.fail_next[prefix]
                    return self._send(status, {"error": {"type": "api_error", "message": "fake outage"}})
            status, reply = self._route(method, path, body)
        self._send(status, reply)

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_fake")
        self.end_headers()
        self.wfile.write(data)

    def _replayed(self, header: str, compute):
        key = self.headers.get(header)
        state = self.fake.state
        if key and (header, key) in state.replies:
            return state.replies[(header, key)]
        answer = compute()
        if key and answer[0] < 500:
            state.replies[(header, key)] = answer
        return answer

    def _route(self, method: str, path: str, body: Any) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        if path.startswith("/v1/payment_intents") or path.startswith("/v1/refunds"):
            if self.headers.get("Authorization") != f"Bearer {STRIPE_KEY}":
                return 401, {
                    "error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}
                }
            if method == "POST" and path == "/v1/payment_intents":
                return self._replayed("Idempotency-Key", lambda: self._create_intent(body))
            if method == "GET" and len(parts) == 3:
                intent = self.fake.state.intents.get(parts[2])
                return (200, intent) if intent else (404, {"error": {"type": "invalid_request_error"}})
            if method == "POST" and path == "/v1/refunds":
                return self._replayed("Idempotency-Key", lambda: self._stripe_refund(body))
        if method == "POST" and path == "/v1/oauth2/token":
            expected = base64.b64encode(f"{PAYPAL_CLIENT_ID}:{PAYPAL_CLIENT_SECRET}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                return 401, {"error": "invalid_client", "error_description": "Client Authentication failed"}
            token = self.fake.next_id("A21AAfake")
            self.fake.state.tokens.add(token)
            return 200, {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 32400,
                "scope": "openid",
            }
        if path.startswith(("/v2/", "/v1/notifications/")):
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if token not in self.fake.state.tokens:
                return 401, {"name": "AUTHENTICATION_FAILURE", "message": "bad token", "details": []}
            if method == "POST" and path == "/v2/checkout/orders":
                return self._replayed("PayPal-Request-Id", lambda: self._create_paypal_order(body))
            if (
                method == "POST"
                and len(parts) == 5
                and parts[:3] == ["v2", "checkout", "orders"]
                and parts[4] == "capture"
            ):
                return self._replayed("PayPal-Request-Id", lambda: self._capture(parts[3]))
            if (
                method == "POST"
                and len(parts) == 5
                and parts[:3] == ["v2", "payments", "captures"]
                and parts[4] == "refund"
            ):
                return self._replayed("PayPal-Request-Id", lambda: self._paypal_refund(parts[3], body))
            if method == "POST" and path == "/v1/notifications/verify-webhook-signature":
                return 200, {"verification_status": self._verify(body)}
        return 404, {"error": {"type": "invalid_request_error", "message": f"no fake for {method} {path}"}}

    # --- Stripe -------------------------------------------------------------------------------
    def _create_intent(self, body: dict) -> tuple[int, dict]:
        intent_id = self.fake.next_id("pi_fake")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(body["amount"]),
            "currency": body["currency"],
            "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_fake",
            "metadata": {k[9:-1]: v for k, v in body.items() if k.startswith("metadata[")},
        }
        self.fake.state.intents[intent_id] = intent
        return 200, intent

    def _stripe_refund(self, body: dict) -> tuple[int, dict]:
        """As Stripe: ``amount`` (minor units) refunds part of the charge, none refunds what is left;
        more than what is left is a 400 ``charge_exceeds_source_limit``-like refusal."""
        intent = self.fake.state.intents.get(body.get("payment_intent", ""))
        if intent is None:
            return 404, {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}}
        refunded = self.fake.state.stripe_refunded.get(intent["id"], 0)
        left = intent["amount"] - refunded
        amount = int(body.get("amount", left))
        if amount <= 0 or amount > left:
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "code": "amount_too_large",
                    "message": f"Refund amount ({amount}) is greater than unrefunded amount ({left})",
                }
            }
        self.fake.state.stripe_refunded[intent["id"]] = refunded + amount
        return 200, {
            "id": self.fake.next_id("re_fake"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "succeeded",
        }

    # --- PayPal -------------------------------------------------------------------------------
    def _create_paypal_order(self, body: dict) -> tuple[int, dict]:
        order_id = self.fake.next_id("PAYPALORDER")
        unit = body["purchase_units"][0]
        self.fake.state.paypal_orders[order_id] = {
            "body": body,
            "status": "PAYER_ACTION_REQUIRED",
            "unit": unit,
        }
        return 200, {
            "id": order_id,
            "status": "PAYER_ACTION_REQUIRED",
            "links": [
                {"href": f"{self.fake.url}/v2/checkout/orders/{order_id}", "rel": "self", "method": "GET"},
                {
                    "href": f"https://www.sandbox.paypal.com/checkoutnow?token={order_id}",
                    "rel": "payer-action",
                    "method": "GET",
                },
            ],
        }

    def _capture(self, order_id: str) -> tuple[int, dict]:
        order = self.fake.state.paypal_orders.get(order_id)
        if order is None:
            return 404, {
                "name": "RESOURCE_NOT_FOUND",
                "message": "no order",
                "details": [{"issue": "INVALID_RESOURCE_ID"}],
            }
        if order_id in self.fake.state.decline_captures:
            return 422, {
                "name": "UNPROCESSABLE_ENTITY",
                "message": "The requested action could not be performed.",
                "debug_id": "fake",
                "details": [{"issue": "INSTRUMENT_DECLINED", "description": "The instrument was declined."}],
            }
        if order["status"] == "COMPLETED":
            return 422, {
                "name": "UNPROCESSABLE_ENTITY",
                "message": "already captured",
                "details": [{"issue": "ORDER_ALREADY_CAPTURED"}],
            }
        order["status"] = "COMPLETED"
        unit = order["unit"]
        capture_id = self.fake.next_id("CAPTURE")
        self.fake.state.captures[capture_id] = {"amount": unit["amount"], "refunded": 0}
        return 201, {
            "id": order_id,
            "status": "COMPLETED",
            "purchase_units": [
                {
                    "reference_id": unit.get("reference_id"),
                    "payments": {
                        "captures": [
                            {
                                "id": capture_id,
                                "status": "COMPLETED",
                                "amount": unit["amount"],
                                "custom_id": unit.get("custom_id"),
                            }
                        ]
                    },
                }
            ],
        }

    def _paypal_refund(self, capture_id: str, body: dict) -> tuple[int, dict]:
        """As PayPal: ``amount`` {currency_code, value} refunds part of the capture, none refunds what
        is left; more than what is left (or another currency) is a 422 with PayPal's issue code."""
        capture = self.fake.state.captures.get(capture_id)
        if capture is None:  # a capture this fake did not make (webhook-only tests): take it whole
            return 201, {
                "id": self.fake.next_id("REFUND"),
                "status": "COMPLETED",
                "amount": (body or {}).get("amount"),
            }
        captured = capture["amount"]
        cents = round(float(captured["value"]) * 100)
        left = cents - capture["refunded"]
        asked = (body or {}).get("amount") or {
            "currency_code": captured["currency_code"],
            "value": f"{left / 100:.2f}",
        }
        if asked.get("currency_code") != captured["currency_code"]:
            return 422, _paypal_issue("CURRENCY_MISMATCH")
        amount = round(float(asked["value"]) * 100)
        if amount <= 0 or amount > left:
            return 422, _paypal_issue("REFUND_AMOUNT_EXCEEDED")
        capture["refunded"] += amount
        return 201, {"id": self.fake.next_id("REFUND"), "status": "COMPLETED", "amount": asked}

    def _verify(self, body: dict) -> str:
        event = body.get("webhook_event") or {}
        expected = paypal_signature(
            transmission_id=body.get("transmission_id", ""),
            transmission_time=body.get("transmission_time", ""),
            webhook_id=body.get("webhook_id", ""),
            event_id=str(event.get("id", "")),
        )
        ok = body.get("webhook_id") == PAYPAL_WEBHOOK_ID and hmac.compare_digest(
            expected, body.get("transmission_sig", "")
        )
        return "SUCCESS" if ok else "FAILURE"


def _paypal_issue(issue: str) -> dict:
    return {
        "name": "UNPROCESSABLE_ENTITY",
        "message": "The requested action could not be performed.",
        "debug_id": "fake",
        "details": [{"issue": issue, "description": issue.replace("_", " ").lower()}],
    }
