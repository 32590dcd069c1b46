"""DRF throttles (``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``): per IP for anonymous callers, per
user for signed-in ones, and per scope for views that set ``throttle_scope`` (checkout, pos_sync ...).

DRF's classes with three changes: the rates are read from settings at each request (so tests and
operators can change them), the client's address is ``core.ratelimit.client_ip`` (the same one
django-axes and the page limits use), and a cache that cannot be reached lets the request through
(logged) rather than answering 500. ``settings.RATELIMIT_ENABLED = False`` turns them off.
Over the limit DRF raises ``Throttled``: ``core.api`` answers 429 ``throttled`` with ``Retry-After``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.throttling import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from core import ratelimit

logger = logging.getLogger(__name__)


class _SharedCacheThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        scope = getattr(self, "scope", None)
        if not scope:
            raise ImproperlyConfigured(f"{type(self).__name__} has no scope.")
        try:
            return ratelimit.rate_for(scope)
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate for scope {self.scope!r}.") from None

    def get_ident(self, request: Request) -> str:
        return ratelimit.client_ip(request)

    def allow_request(self, request: Request, view: Any) -> bool:
        if not ratelimit.enabled():
            return True
        try:
            return bool(super().allow_request(request, view))
        except ImproperlyConfigured:
            raise
        except Exception as exc:  # the cache is down: never refuse a request for it
            logger.warning("throttle %s: cache unavailable, not limited: %r", self.scope, exc)
            return True


class AnonThrottle(_SharedCacheThrottle, AnonRateThrottle):
    """Anonymous callers, per IP (``anon``)."""


class UserThrottle(_SharedCacheThrottle, UserRateThrottle):
    """Signed-in callers per user, anonymous ones per IP (``user``)."""


class ScopedThrottle(_SharedCacheThrottle, ScopedRateThrottle):
    """``throttle_scope = "checkout"`` on a view: per user (or IP) and scope."""

    def allow_request(self, request: Request, view: Any) -> bool:
        # ScopedRateThrottle takes its scope from the view: without one, no limit.
        if not getattr(view, self.scope_attr, None):
            return True
        return super().allow_request(request, view)
