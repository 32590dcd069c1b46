"""What every carrier client shares: one HTTP call with a timeout whose failures become
``CarrierError``s a person understands, and the signature check of pushed tracking events.

Failures and what staff read (``CarrierError.reason``), all retryable unless said otherwise:

* connection refused / DNS failure: "Colissimo cannot be reached (connection refused) ..."
* no answer within the timeout (``CARRIERS[code]["timeout"]``, default ``CARRIER_TIMEOUT`` = 5 s):
  "Colissimo did not answer within 5 s ..."
* HTTP 5xx without a business answer: "Colissimo is unavailable (HTTP 503) ..."
* a refusal (bad postcode, too heavy, wrong credentials) is read by each client from the carrier's
  own error format and raised with ``retryable=False``: retrying the same request cannot help.

Webhook signature scheme (``verify_signature``), the same for every carrier that pushes events:
the request carries ``X-Carrier-Signature: sha256=<hex>`` where ``<hex>`` is the lowercase hex
HMAC-SHA256 of the raw request body (bytes as received, before any parsing) keyed with the
carrier's ``CARRIERS[code]["webhook_secret"]`` (UTF-8). Compared in constant time. An empty secret
refuses every push (webhooks not configured). Replays are harmless: every event has a stable
``event_key`` and recording is idempotent per parcel and key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import requests

from .base import CarrierError, InvalidCarrierWebhook

SIGNATURE_HEADER = "X-Carrier-Signature"
DEFAULT_TIMEOUT = 5.0


def config_str(config: Mapping[str, object], key: str, default: str = "") -> str:
    value = config.get(key, default)
    return default if value is None else str(value)


def config_timeout(config: Mapping[str, object]) -> float:
    value = config.get("timeout", DEFAULT_TIMEOUT)
    return float(value) if isinstance(value, int | float | str) else DEFAULT_TIMEOUT


def send(carrier: str, method: str, url: str, *, timeout: float, **kwargs: Any) -> requests.Response:
    """One HTTP exchange; network failures become retryable ``CarrierError``s (HTTP statuses are
    left to the caller, which knows the carrier's error format)."""
    try:
        return requests.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout as exc:
        raise CarrierError(
            f"{carrier} did not answer within {timeout:g} s: try again in a few minutes.",
            detail={"url": url, "error": str(exc)},
        ) from exc
    except requests.ConnectionError as exc:
        raise CarrierError(
            f"{carrier} cannot be reached (connection refused or network down): try again in a few minutes.",
            detail={"url": url, "error": str(exc)},
        ) from exc
    except requests.RequestException as exc:
        raise CarrierError(
            f"The call to {carrier} failed ({exc.__class__.__name__}): try again.",
            detail={"url": url, "error": str(exc)},
        ) from exc


def outage(carrier: str, response: requests.Response) -> CarrierError:
    """A 5xx (or an answer we cannot read): the carrier's side is broken, a retry may work."""
    return CarrierError(
        f"{carrier} is unavailable (HTTP {response.status_code}): try again in a few minutes.",
        detail={"status": response.status_code, "body": response.text[:500]},
    )


def unexpected(carrier: str, response: requests.Response, setting: str) -> CarrierError:
    """A 4xx we cannot read (wrong URL, a proxy's page): our configuration, not worth retrying."""
    return CarrierError(
        f"{carrier} answered HTTP {response.status_code} with something unexpected: check {setting}.",
        retryable=False,
        detail={"status": response.status_code, "body": response.text[:500]},
    )


def header(headers: Mapping[str, str], name: str) -> str:
    """A header from a plain dict, Django's ``request.headers`` or ``request.META``, any case."""
    wanted = name.lower()
    meta = "http_" + wanted.replace("-", "_")
    for key, value in headers.items():
        if key.lower() in (wanted, meta):
            return value
    return ""


def sign(body: bytes, secret: str) -> str:
    """The ``X-Carrier-Signature`` value for ``body`` (what a pushing carrier sends)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(carrier: str, body: bytes, headers: Mapping[str, str], secret: str) -> None:
    if not secret:
        raise InvalidCarrierWebhook(f"{carrier} webhooks are not configured (no secret)")
    given = header(headers, SIGNATURE_HEADER).strip()
    if not given.startswith("sha256="):
        raise InvalidCarrierWebhook(f"missing or malformed {SIGNATURE_HEADER} header")
    # As bytes: compare_digest refuses str with non-ASCII characters (a hostile header).
    if not hmac.compare_digest(given.encode("utf-8", "replace"), sign(body, secret).encode()):
        raise InvalidCarrierWebhook(f"{SIGNATURE_HEADER} does not match the body")
