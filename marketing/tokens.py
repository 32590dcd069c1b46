"""Signed, expiring links (``django.core.signing``): newsletter confirmation and unsubscribe.

A token carries the channel and the address; its salt says what it is for, so a confirmation token
cannot unsubscribe and an unsubscribe token cannot confirm.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from .errors import InvalidLink

CONFIRM_SALT = "marketing.confirm"
UNSUBSCRIBE_SALT = "marketing.unsubscribe"


def make(*, salt: str, channel: str, address: str) -> str:
    return signing.dumps({"c": channel, "a": address}, salt=salt, compress=True)


def read(*, salt: str, token: str, max_age: int) -> tuple[str, str]:
    """(channel, address) of a valid token; ``InvalidLink`` for a forged, mangled or expired one."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvalidLink(detail={"token": ["expired"]}) from exc
    except signing.BadSignature as exc:
        raise InvalidLink(detail={"token": ["invalid"]}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("c"), str) or not isinstance(data.get("a"), str):
        raise InvalidLink(detail={"token": ["invalid"]})
    return data["c"], data["a"]


def confirm_max_age() -> int:
    return int(getattr(settings, "MARKETING_CONFIRM_MAX_AGE", 7 * 24 * 3600))


def unsubscribe_max_age() -> int:
    return int(getattr(settings, "MARKETING_UNSUBSCRIBE_MAX_AGE", 365 * 24 * 3600))
