"""``Idempotency-Key`` for API writes: a retry returns the first answer and changes nothing.

Use it on any DRF view method that writes::

    class MovementView(APIView):
        @extend_schema(request=..., responses={201: ..., **error_responses(400, 409, 422)})
        @idempotent
        def post(self, request):
            ...parse, resolve, authorise, call ONE service, return Response(..., status=201)

With no ``Idempotency-Key`` header the method just runs. With one (scoped to ``request.user``):

1. A stored answer for (user, key) is replayed (same status, same body, header
   ``Idempotent-Replayed: true``) if the request has the same fingerprint (method, path, query and
   body); otherwise the answer is 422 ``idempotency_key_reused``. Nothing runs either way.
2. Else, in ONE transaction: insert the record first, run the method in a savepoint, store its
   response in the record, commit. The services use nestable ``transaction.atomic``, so their
   writes commit or roll back with the record: the record exists if and only if the effects do.
3. A concurrent request with the same key blocks on the unique index (PostgreSQL) or the write lock
   (SQLite) until the first commits, then gets ``IntegrityError`` and replays the stored answer; if
   the first rolled back, it runs. So two requests with one key never both execute.

Refusals (any 4xx the method raises or returns: 400 invalid input, 403, 404, 409 insufficient stock)
are stored and replayed like successes; the savepoint undoes whatever the refused operation had
started. A 5xx or an unexpected exception stores nothing and rolls everything back, so the client
may retry with the same key. Records expire after ``settings.IDEMPOTENCY_KEY_TTL_HOURS``:
``purge_expired_idempotency_records`` (run by ``core.tasks``) deletes them, and an expired record is
never replayed.

Keys are per user: requests must be authenticated (API views require it by default).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from core.api import error_response
from core.errors import ApplicationError, ValidationFailed
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
_KEY_PATTERN = re.compile(r"[\x20-\x7e]+")  # printable ASCII; a UUID is the usual choice

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key (a UUID is best, printable ASCII, at most 255 characters) that makes this POST "
        "safe to retry: a retry with the same key returns the first response (status and body) and "
        "changes nothing; the same key with another body or path is a 422 `idempotency_key_reused`. "
        f"Keys are remembered per user for {settings.IDEMPOTENCY_KEY_TTL_HOURS} hours."
    ),
)


class IdempotencyKeyReused(ApplicationError):
    code = "idempotency_key_reused"
    http_status = 422
    default_message = "This Idempotency-Key was already used for a different request."


class InvalidIdempotencyKey(ValidationFailed):
    code = "invalid_idempotency_key"
    default_message = f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable ASCII characters."


Handler = Callable[[], Response]


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a DRF view method (``post``) so it honours ``Idempotency-Key``; documents the header."""

    @functools.wraps(method)
    def wrapper(view, request: Request, *args: Any, **kwargs: Any) -> Response:
        return execute_idempotently(
            request=request,
            handler=lambda: method(view, request, *args, **kwargs),
            context={"view": view, "request": request, "args": args, "kwargs": kwargs},
        )

    return extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapper)


def execute_idempotently(*, request: Request, handler: Handler, context: dict[str, Any]) -> Response:
    """Run ``handler`` at most once per (user, Idempotency-Key); see the module docstring."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not _KEY_PATTERN.fullmatch(key):
        raise InvalidIdempotencyKey(detail={"header": HEADER})
    user = request.user
    if not (user and user.is_authenticated):
        raise NotAuthenticated()
    fingerprint = request_fingerprint(request)

    existing = _live_record(user=user, key=key)
    if existing is not None:
        return _replay(existing, fingerprint)

    claimed = False
    try:
        with transaction.atomic():
            # Insert first: a concurrent twin now waits on the unique index until we commit.
            record = IdempotencyRecord.objects.create(
                user=user, key=key, method=request.method, path=request.path[:2000], fingerprint=fingerprint
            )
            claimed = True
            response = _run(handler, context)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # store nothing, keep nothing: the client may retry
                return response
            body = json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))
            record.status_code = response.status_code
            record.response_json = body
            record.save(update_fields=["status_code", "response_json"])
    except IntegrityError:
        if claimed:
            raise  # not our insert: a real integrity problem inside the operation
        existing = _live_record(user=user, key=key)
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    # Send exactly what a replay will send (UUIDs, dates and decimals as JSON strings).
    response.data = json.loads(body)
    return response


def request_fingerprint(request: Request) -> str:
    """SHA-256 of method, path, query and body (JSON-canonical: key order and spacing do not count)."""
    payload = {
        "method": request.method,
        "path": request.path,
        "query": sorted((k, sorted(v)) for k, v in request.query_params.lists()),
        "body": _plain(request.data),  # a malformed body raises ParseError (400) here
    }
    canonical = json.dumps(payload, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def purge_expired_idempotency_records(*, now: dt.datetime | None = None) -> int:
    """Delete records older than ``IDEMPOTENCY_KEY_TTL_HOURS``; returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=_cutoff(now)).delete()
    return deleted


# --- internals ------------------------------------------------------------------------------------


def _cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def _live_record(*, user, key: str) -> IdempotencyRecord | None:
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is not None and record.created_at < _cutoff():
        IdempotencyRecord.objects.filter(pk=record.pk).delete()  # expired: the key is free again
        return None
    return record


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            f"The Idempotency-Key {record.key!r} was first used for another request ({record.method} "
            f"{record.path} with another body); use a new key for a new request.",
            detail={"key": record.key},
        )
    data = json.loads(record.response_json) if record.response_json else None
    return Response(data, status=record.status_code, headers={REPLAYED_HEADER: "true"})


def _run(handler: Handler, context: dict[str, Any]) -> Response:
    """The operation in a savepoint: a refusal undoes what it started and becomes its response."""
    try:
        with transaction.atomic():
            response = handler()
    except Exception as exc:
        refused = error_response(exc, context)
        if refused is None:
            raise  # a bug: the outer block rolls back the record too
        return refused
    if not isinstance(response, Response):
        raise TypeError("An @idempotent view method must return a rest_framework Response.")
    return response


def _plain(data: Any) -> Any:
    """request.data as plain JSON values (a QueryDict becomes {key: [values]})."""
    if hasattr(data, "lists"):
        return dict(data.lists())
    return data
