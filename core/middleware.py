"""A database that cannot give a connection answers 503 with ``Retry-After``, not a 500.

Two cases, both transient, both the client's cue to come back in a few seconds:

- ``service_busy``: the psycopg pool (``DB_POOL``) had no free connection within ``DB_POOL_TIMEOUT``
  (``psycopg_pool.PoolTimeout``, which Django wraps in ``OperationalError``: "couldn't get a
  connection after 10.00 sec"): more concurrent requests than ``DB_POOL_MAX_SIZE`` connections;
- ``database_unavailable``: PostgreSQL refused or dropped the connection (down, restarting, too many
  clients: a psycopg ``OperationalError`` without a SQL state, or SQL state class 08, 53, 57P0x).

Anything else (a deadlock, a bad query) is not an outage: it stays a 500, a bug to fix.

Under ``/api/`` the body is the API's error format, ``{"code": "service_busy", "message": ...,
"detail": {"retry_after": 5}}``; elsewhere a short HTML page that needs no database (no context
processors, no session). Each 503 is counted (``core.degradation``: ``/healthz`` shows
``degraded.database``) and logged as a warning at most once a minute.

``ServiceUnavailableMiddleware.process_exception`` catches what views (DRF views included: the API
exception handler leaves these to it) raise; ``core.views.server_error`` catches what middleware raises
(a session saved after the view), so no path answers a 500 for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from psycopg_pool import PoolTimeout

from core import degradation

logger = logging.getLogger(__name__)

SERVICE_BUSY = "service_busy"
DATABASE_UNAVAILABLE = "database_unavailable"
COUNTER = "database"

# SQL states of a server that cannot serve now: connection exceptions (08...), insufficient resources
# (53...: too many connections, out of memory or disk), operator intervention (57P01 admin shutdown,
# 57P02 crash shutdown, 57P03 cannot connect now: starting up or in recovery).
_UNAVAILABLE_STATES = ("08", "53", "57P01", "57P02", "57P03")


def unavailable_code(exc: BaseException) -> str | None:
    """``service_busy``, ``database_unavailable``, or None when ``exc`` is not a database outage."""
    if isinstance(exc, PoolTimeout):
        return SERVICE_BUSY
    if not isinstance(exc, DatabaseError):
        return None
    cause = exc.__cause__
    if isinstance(cause, PoolTimeout):
        return SERVICE_BUSY
    import psycopg

    if isinstance(cause, psycopg.OperationalError):
        state = cause.sqlstate
        if state is None or state.startswith(_UNAVAILABLE_STATES):
            return DATABASE_UNAVAILABLE
    return None


def unavailable_response(request: HttpRequest, code: str, exc: BaseException) -> HttpResponse:
    """The 503 for ``code``; counts it and logs (at most once a minute) why."""
    retry_after = settings.SERVICE_BUSY_RETRY_AFTER
    degradation.record(COUNTER)
    degradation.warn(
        COUNTER, "503 %s on %s %s: %s: %s", code, request.method, request.path, type(exc).__name__, exc
    )
    if request.path.startswith("/api/"):
        message = (
            "Too many requests are being served at once; try again in a few seconds."
            if code == SERVICE_BUSY
            else "The service is briefly unavailable; try again in a few seconds."
        )
        response: HttpResponse = JsonResponse(
            {"code": code, "message": message, "detail": {"retry_after": retry_after}}, status=503
        )
    else:
        response = HttpResponse(render_to_string("503.html", {"retry_after": retry_after}), status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    # Logged above, at most once a minute: django.request would log every 503 as an error.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class ServiceUnavailableMiddleware:
    """Turns a database outage raised by a view into a 503 with ``Retry-After`` (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        code = unavailable_code(exception)
        if code is None:
            return None
        return unavailable_response(request, code, exception)
