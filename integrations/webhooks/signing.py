"""How a delivery is signed: the one definition both the sender and ``verify`` use.

Headers of every POST::

    Content-Type: application/json
    X-Omni-Event: order.paid
    X-Omni-Delivery: <uuid, the same on every retry: the receiver's de-duplication key>
    X-Omni-Timestamp: <Unix seconds when this attempt was signed>
    X-Omni-Signature: v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>

``body`` is the exact bytes sent (UTF-8 JSON); the receiver must hash the raw body, not a re-encoding.
"""

from __future__ import annotations

import hashlib
import hmac

EVENT_HEADER = "X-Omni-Event"
DELIVERY_HEADER = "X-Omni-Delivery"
TIMESTAMP_HEADER = "X-Omni-Timestamp"
SIGNATURE_HEADER = "X-Omni-Signature"
VERSION = "v1"


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def signature(secret: str | bytes, timestamp: str | int, body: str | bytes) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` keyed by ``secret``."""
    message = str(timestamp).encode() + b"." + _as_bytes(body)
    return hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()


def signature_header(secret: str | bytes, timestamp: str | int, body: str | bytes) -> str:
    return f"{VERSION}={signature(secret, timestamp, body)}"
