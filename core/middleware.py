"""Two guards at the edge of every request.

## HostileInputMiddleware

``HostileInputMiddleware``: input no view can handle is refused before any view runs.

First in ``MIDDLEWARE`` after ``SecurityMiddleware``. It answers 400 (``invalid_input``) for:

- a NUL or a lone surrogate in the path, a query-string name or value, or a form field
  (urlencoded or multipart): PostgreSQL cannot store NUL, and the ``DataError`` was a 500;
- more query or form fields than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` (Django's ``TooManyFieldsSent``,
  whose debug page re-read the query and failed again: a 500 in development), a malformed multipart
  body;

and 413 (``request_too_large``) for a body, other than a file upload, over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (by its ``Content-Length``; Django's own check then covers a body
that lied). Under ``/api/`` the answer is the API's JSON error; elsewhere a plain 400/413 page.
A cookie holding NUL is dropped (the session cookie would reach the database), not refused: a
browser could not recover from a cookie it keeps sending.

JSON bodies are checked where they are parsed (``core.api.SafeJSONParser``, ``core.safe_json``).

## ServiceUnavailableMiddleware

A database that cannot give a connection answers 503 with ``Retry-After``, not a 500.

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

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.template.loader import render_to_string
from psycopg_pool import PoolTimeout

from core import degradation

from .errors import ApplicationError, InvalidInput, RequestTooLarge
from .text import is_broken_text

logger = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class HostileInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            _check(request)
        except ApplicationError as exc:
            return refusal(request, exc)
        except RequestDataTooBig:
            return refusal(request, RequestTooLarge())
        except SuspiciousOperation as exc:  # TooManyFieldsSent, TooManyFilesSent, bad multipart
            return refusal(request, InvalidInput(detail={"reason": type(exc).__name__}))
        return self.get_response(request)


def refusal(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    logger.info("refused hostile input on %r: %s %s", request.path, exc.code, exc.detail)
    if request.path.startswith("/api/"):
        return JsonResponse(exc.as_dict(), status=exc.http_status)
    response = HttpResponseBadRequest(f"<h1>{exc.http_status}</h1><p>{exc.message}</p>")
    response.status_code = exc.http_status
    return response


def _check(request: HttpRequest) -> None:
    if is_broken_text(request.path):
        raise InvalidInput(detail={"in": "path"})
    _drop_broken_cookies(request)
    _check_fields(request.GET.lists(), "query")
    content_type = request.content_type or ""
    if content_type != "multipart/form-data":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise InvalidInput(detail={"in": "content-length"}) from None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            raise RequestTooLarge(detail={"max_bytes": limit})
    # A multipart body is left to DRF under /api/: reading it here would consume the stream, and
    # the API parses JSON (and urlencoded forms, which Django buffers) only.
    api_multipart = content_type == "multipart/form-data" and request.path.startswith("/api/")
    if request.method in ("POST", "PUT", "PATCH") and content_type in FORM_TYPES and not api_multipart:
        _check_fields(request.POST.lists(), "form")
        for _field, uploads in request.FILES.lists():
            if any(upload.name and is_broken_text(upload.name) for upload in uploads):
                raise InvalidInput(detail={"in": "form"})


def _check_fields(fields: object, where: str) -> None:
    for name, values in fields:  # type: ignore[attr-defined]
        if is_broken_text(name) or any(is_broken_text(value) for value in values):
            raise InvalidInput(detail={"in": where})


def _drop_broken_cookies(request: HttpRequest) -> None:
    broken = [name for name, value in request.COOKIES.items() if is_broken_text(name + value)]
    for name in broken:
        del request.COOKIES[name]


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


class CompressionMiddleware(GZipMiddleware):
    """Django's ``GZipMiddleware`` for text only: HTML, JSON, CSV, XML, JavaScript, SVG.

    PDFs, images, archives and XLSX files are compressed already: gzip would spend CPU for nothing and
    take away their ``Content-Length``, so they pass untouched. Static files never reach it compressed
    twice: whitenoise serves its own ``.br``/``.gz`` files with ``Content-Encoding`` set, which the
    parent leaves alone.

    BREACH (an attacker who can both inject text into a page and watch the size of its encrypted
    response guesses a secret in it byte by byte): we compress every text response, because the one
    secret our pages carry in the body, the CSRF token, is masked with a fresh random salt in every
    response (Django since 1.10), so it never repeats from one response to the next; the session and
    CSRF cookies travel in headers, which gzip does not touch; and ``GZipMiddleware`` adds up to 100
    random bytes to each compressed response ("Heal the Breach", Django 4.2+), which makes the length
    oracle noisy. A page that would echo a shopper's input beside a long-lived secret in its body
    (an API key shown once, a password-reset token) should be marked ``@gzip_exempt`` (below).
    """

    COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml")
    COMPRESSIBLE_SUFFIXES = ("+json", "+xml")

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(response, "gzip_exempt", False) or not self._compressible(response):
            return response
        return super().process_response(request, response)

    @classmethod
    def _compressible(cls, response: HttpResponseBase) -> bool:
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        return content_type.startswith(cls.COMPRESSIBLE) or content_type.endswith(cls.COMPRESSIBLE_SUFFIXES)


def gzip_exempt(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Never compress this view's responses (see ``CompressionMiddleware``: BREACH)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(*args, **kwargs)
        response.gzip_exempt = True  # type: ignore[attr-defined]
        return response

    return wrapped
