"""The receiving side, for ERP developers: check that a webhook comes from us and is fresh.

Copy this function (standard library only) into the receiver, or port it::

    from integrations.webhooks.verify import verify_signature

    def receive(request):                       # any framework: what matters is the RAW body
        ok = verify_signature(
            secret=SECRET,                      # shown in the admin for the endpoint
            timestamp=request.headers["X-Omni-Timestamp"],
            body=request.body,                  # bytes exactly as received
            header=request.headers["X-Omni-Signature"],
            tolerance=300,                      # refuse anything signed more than 5 minutes ago
        )
        if not ok:
            return 400
        delivery = request.headers["X-Omni-Delivery"]   # seen before? answer 2xx and do nothing
        ...
        return 200                              # any 2xx: delivered; anything else is retried

A 2xx within the timeout (``WEBHOOK_TIMEOUT_SECONDS``) counts as delivered; anything else is
retried with exponential backoff for ``WEBHOOK_RETRY_HOURS`` (24 h), so the receiver must be
idempotent by ``X-Omni-Delivery``. The header may carry several comma-separated ``v1=`` values
(while a secret is being rotated): one match is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def verify_signature(
    secret: str | bytes,
    timestamp: str | int,
    body: str | bytes,
    header: str,
    tolerance: int | None = 300,
    *,
    now: float | None = None,
) -> bool:
    """True when ``header`` (``X-Omni-Signature``) holds a ``v1=`` HMAC-SHA256 of
    ``f"{timestamp}.{body}"`` under ``secret`` and ``timestamp`` is within ``tolerance`` seconds of
    now (``None``: no age check). Compares in constant time."""
    try:
        sent_at = int(str(timestamp).strip())
    except ValueError:
        return False
    if tolerance is not None and abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    key = secret.encode() if isinstance(secret, str) else secret
    raw = body.encode() if isinstance(body, str) else body
    expected = hmac.new(key, str(sent_at).encode() + b"." + raw, hashlib.sha256).hexdigest()
    for part in (header or "").split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == "v1" and hmac.compare_digest(value.strip(), expected):
            return True
    return False
