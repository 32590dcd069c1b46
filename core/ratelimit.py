"""Flood and brute-force limits that are not a DRF throttle: counters in the shared cache.

- ``hit(scope=..., key=..., rate=...)`` counts one attempt in a fixed window (``"3/hour"``) and
  raises ``Throttled`` (429, ``Retry-After``) once the window is full. Password resets (per IP and per
  target e-mail), sign-ups (per IP) and failed API tokens (per IP) use it.
- ``client_ip(request)`` is the one rule for "who is asking" (DRF throttles, django-axes and these
  counters): ``REMOTE_ADDR``, or the address ``settings.TRUSTED_PROXY_COUNT`` proxies saw.
- ``throttled_response`` / ``lockout_response`` render a refusal: JSON ``{"code": "throttled", ...}``
  under ``/api/``, the translated 429 page elsewhere, both with ``Retry-After``.

Counters live in the default cache (Redis in production, so every web process shares them). A cache
that cannot be reached never refuses a request: the limit is skipped and a warning logged.
``settings.RATELIMIT_ENABLED`` turns every limit of this module and of ``core.throttling`` off (the
test suite does; tests that check a limit turn it back on).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.errors import Throttled

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
            "d": 86400, "day": 86400}  # fmt: skip


@dataclass(frozen=True)
class Rate:
    count: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"3/hour"``, ``"10/min"``, ``"5/15m"`` (5 per 15 minutes)."""
        count, _, period = text.partition("/")
        digits = "".join(ch for ch in period if ch.isdigit())
        unit = period[len(digits) :].strip().lower()
        return cls(count=int(count), period=int(digits or 1) * _PERIODS[unit])


def enabled() -> bool:
    return bool(getattr(settings, "RATELIMIT_ENABLED", True))


def rate_for(scope: str) -> str:
    """The rate of ``scope`` (``"3/hour"``) from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, the one
    table of every limit (API throttles and page limits alike), read at call time."""
    rates: dict[str, str] = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]  # type: ignore[assignment]
    return rates[scope]


def limit(request: HttpRequest, *, scope: str, key: str | None = None) -> HttpResponse | None:
    """For page views: count one attempt of ``scope`` by ``key`` (default: the client's IP); the 429
    response to return when over the limit, else None."""
    try:
        hit(scope=scope, key=key if key is not None else client_ip(request), rate=rate_for(scope))
    except Throttled as exc:
        return throttled_response(request, wait=exc.wait)
    return None


def login_username(request: Any, credentials: dict[str, Any] | None) -> str:
    """django-axes' ``AXES_USERNAME_CALLABLE``: the e-mail typed, trimmed and lower-cased, so that
    ``Bob@Example.com`` and ``bob@example.com`` count against the same account."""
    value = (credentials or {}).get("username")
    if value is None:
        value = getattr(request, "POST", {}).get("username", "")
    return str(value or "").strip().lower()[:255]


def client_ip(request: Any) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` proxies the address
    the outermost trusted proxy saw (the Nth entry from the right of ``X-Forwarded-For``). Whatever
    is not an IP address is ignored; "" when there is none (a request built in code)."""
    meta = getattr(request, "META", {})
    remote = _ip_or_empty(meta.get("REMOTE_ADDR"))
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    if proxies > 0 and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if chain:
            return _ip_or_empty(chain[-min(proxies, len(chain))]) or remote
    return remote


def axes_client_ip(request: Any) -> str | None:
    """django-axes' ``AXES_CLIENT_IP_CALLABLE``: ``client_ip``, None when unknown (its column is an
    IP address)."""
    return client_ip(request) or None


def _ip_or_empty(value: object) -> str:
    try:
        return str(ipaddress.ip_address(str(value or "").strip()))
    except ValueError:
        return ""


def _key(scope: str, key: str, window: int) -> str:
    digest = hashlib.sha256(key.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"rl:{scope}:{window}:{digest}"


def hit(*, scope: str, key: str, rate: str | Rate, count: bool = True) -> None:
    """Count one attempt of ``key`` (an IP, an e-mail address) in ``scope``; raise ``Throttled`` when
    the window already holds ``rate.count`` attempts. ``count=False`` only checks."""
    if not enabled():
        return
    limit = rate if isinstance(rate, Rate) else Rate.parse(rate)
    now = time.time()
    window = int(now // limit.period)
    cache_key = _key(scope, key, window)
    try:
        current = int(cache.get(cache_key) or 0)
        if current >= limit.count:
            wait = max(1, math.ceil((window + 1) * limit.period - now))
            raise Throttled(detail={"wait": wait, "scope": scope})
        if count:
            if cache.add(cache_key, 1, timeout=limit.period + 1):
                return
            cache.incr(cache_key)
    except Throttled:
        raise
    except ValueError:  # the key expired between add() and incr(): a new window has begun
        return
    except Exception as exc:  # the cache is down: never refuse a request for it
        logger.warning("ratelimit: cache unavailable, %s not limited: %r", scope, exc)


def is_over(*, scope: str, key: str, rate: str | Rate) -> int:
    """Seconds to wait when ``key`` is over its limit in ``scope``, else 0. Counts nothing."""
    try:
        hit(scope=scope, key=key, rate=rate, count=False)
    except Throttled as exc:
        return exc.wait
    return 0


def throttled_response(request: HttpRequest, *, wait: int, message: str | None = None) -> HttpResponse:
    """429 with ``Retry-After``: JSON in the API's error format under /api/, the page elsewhere."""
    text = message or _("Too many attempts. Please wait a moment and try again.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "throttled", "message": text, "detail": {"wait": wait}}, status=429
        )
    else:
        minutes = max(1, math.ceil(wait / 60))
        body = render_to_string("core/throttled.html", {"message": text, "minutes": minutes}, request=request)
        response = HttpResponse(body, status=429)
    response["Retry-After"] = str(wait)
    return response


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' ``AXES_LOCKOUT_CALLABLE``: too many failed sign-ins for this account from here
    (axes), or from this address whatever the account (``LoginFailuresPerIpBackend``)."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    wait = getattr(request, "ratelimit_wait", None) or (int(cool_off.total_seconds()) if cool_off else 3600)
    message = _("Too many failed sign-in attempts. For your security, this sign-in is locked for a while.")
    return throttled_response(request, wait=wait, message=message)


# --- failed sign-ins per address, whatever the account (password spraying) ---------------------

LOGIN_FAILURES_SCOPE = "login_failures"


class LoginFailuresPerIpBackend:
    """First of ``AUTHENTICATION_BACKENDS``: refuses every sign-in (shop, till, admin) from an address
    that failed ``login_failures`` times in the window, whatever the account; django-axes then locks
    per account and address. Refusing raises ``PermissionDenied``, which ``authenticate()`` treats as
    "stop here"; ``AxesMiddleware`` turns the flagged request into the 429 page."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is None or not enabled():
            return None
        rate = rate_for(LOGIN_FAILURES_SCOPE)
        wait = is_over(scope=LOGIN_FAILURES_SCOPE, key=client_ip(request), rate=rate)
        if wait:
            request.axes_locked_out = True  # type: ignore[attr-defined]  # read by AxesMiddleware
            request.ratelimit_wait = wait  # type: ignore[attr-defined]
            raise PermissionDenied("Too many failed sign-ins from this address.")
        return None

    def get_user(self, user_id: Any) -> Any:
        # Being first in the list, this backend is the one Django's test client's force_login()
        # records in the session: it must find users as ModelBackend does.
        from django.contrib.auth.backends import ModelBackend

        return ModelBackend().get_user(user_id)


def count_login_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                        **kwargs: Any) -> None:  # fmt: skip
    """``user_login_failed`` receiver (connected in ``core.apps``): one failure for the address."""
    if request is None or not enabled():
        return
    with contextlib.suppress(Throttled):
        hit(scope=LOGIN_FAILURES_SCOPE, key=client_ip(request), rate=rate_for(LOGIN_FAILURES_SCOPE))
