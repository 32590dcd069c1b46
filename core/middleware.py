"""``HostileInputMiddleware``: input no view can handle is refused before any view runs.

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
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

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
