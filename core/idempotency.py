"""Run an operation once per key: ``run_once`` for any writer from outside, ``Idempotency-Key`` for the API.

``run_once(scope=..., key=..., fn=...)`` runs ``fn`` at most once per (scope, key) and returns its
first JSON-able result to every retry (``Once(value, replayed)``); the same key with another
``fingerprint`` raises ``IdempotencyKeyReused``. The record is written first, in the same
transaction as ``fn``'s effects, so it exists if and only if they do, and a concurrent twin waits on
the unique index and then replays. Payment webhooks (scope ``webhook:<provider>``, key the event id),
POS sync and ERP file rows use it; the HTTP layer below is built on it.

``Idempotency-Key`` for API writes: a retry returns the first answer and changes nothing.

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
2. Else, in ONE transaction: insert the record first (``INSERT ... ON CONFLICT DO NOTHING``: a
   record already there is found by the insert itself, then read and replayed as in 1), run the
   method in a savepoint, store its response in the record, commit. The services use nestable
   ``transaction.atomic``, so their writes commit or roll back with the record: the record exists
   if and only if the effects do.
3. A concurrent request with the same key blocks on the unique index (PostgreSQL) or the write lock
   (SQLite) until the first commits, then its insert does nothing and it replays the stored answer;
   if the first rolled back, it runs. So two requests with one key never both execute.

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
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from core.api import error_response
from core.errors import ApplicationError, ValidationFailed
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Printable ASCII, no space at either end (a UUID is the usual choice); the schema publishes it.
KEY_REGEX = r"^[!-~](?:[ -~]*[!-~])?$"
_KEY_PATTERN = re.compile(KEY_REGEX)

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_REGEX},
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key (a UUID is best; printable ASCII without spaces at either end, at most 255 "
        "characters, else 400 `invalid_idempotency_key`) that makes this POST "
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
    default_message = (
        f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable ASCII characters, no space at either end."
    )


Handler = Callable[[], Response]
T = TypeVar("T")


@dataclass(frozen=True)
class Once(Generic[T]):
    """What ``run_once`` gives back: the operation's first result, and whether this was a replay."""

    value: T
    replayed: bool
    status_code: int | None = None  # set when the operation returned a DRF Response


class _Taken(Exception):
    """Raised inside ``run_once``'s transaction when the key's record already exists."""


class _Abandon(Exception):
    """Raised inside ``run_once``'s transaction to store nothing and hand ``value`` back."""

    def __init__(self, value: Any) -> None:
        self.value = value


def run_once(
    *,
    scope: str,
    key: str,
    fn: Callable[[], T],
    fingerprint: str = "",
    user: Any = None,
    method: str = "",
    path: str = "",
    _retried: bool = False,
) -> Once[T]:
    """Run ``fn`` at most once per (``scope``, ``key``); every later call replays its first result.

    ``fn`` runs inside the transaction that inserts the record (nestable: inside a caller's
    transaction it joins it) and must return a JSON-able value (dicts, lists, strings, numbers,
    ``Decimal``, ``UUID`` and dates are encoded as DRF does); the value handed back, first time or
    replayed, is that JSON decoded, so both are equal. An exception from ``fn`` rolls back its
    effects and the record: nothing is remembered and a retry runs again. A live record with another
    ``fingerprint`` raises ``IdempotencyKeyReused``.
    """
    claimed = False
    try:
        with transaction.atomic():
            # Insert first (no read before: the insert says whether the key is taken). A concurrent
            # twin now waits on the unique index until we commit; a record already there makes the
            # insert do nothing, and we replay it.
            record_id = _claim(
                scope=scope[:100],
                key=key,
                user_id=user.pk if user is not None and getattr(user, "is_authenticated", False) else None,
                method=method,
                path=path[:2000],
                fingerprint=fingerprint,
            )
            if record_id is None:
                raise _Taken()
            claimed = True
            value = fn()
            status_code = None
            if isinstance(value, Response):
                status_code = value.status_code
                body = json.dumps(value.data, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))
            else:
                body = json.dumps(value, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))
            IdempotencyRecord.objects.filter(pk=record_id).update(status_code=status_code, response_json=body)
    except _Abandon as abandoned:
        return Once(abandoned.value, replayed=False)
    except (_Taken, IntegrityError) as error:
        if claimed:
            raise  # not our insert: a real integrity problem inside the operation
        existing = _live_record(scope=scope, key=key)
        if existing is None:
            if isinstance(error, _Taken) and not _retried:
                # The record had expired (``_live_record`` deleted it) or was purged meanwhile: the
                # key is free again.
                return run_once(
                    scope=scope,
                    key=key,
                    fn=fn,
                    fingerprint=fingerprint,
                    user=user,
                    method=method,
                    path=path,
                    _retried=True,
                )
            raise
        return Once(_replayed_value(existing, fingerprint), replayed=True, status_code=existing.status_code)
    if isinstance(value, Response):
        # Send exactly what a replay will send (UUIDs, dates and decimals as JSON strings).
        value.data = json.loads(body)
        return Once(value, replayed=False, status_code=value.status_code)
    return Once(json.loads(body), replayed=False)


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a DRF view method (``post``) so it honours ``Idempotency-Key``; documents the header."""

    @functools.wraps(method)
    def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
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
    if len(key) > MAX_KEY_LENGTH or not _KEY_PATTERN.fullmatch(key):
        raise InvalidIdempotencyKey(detail={"header": HEADER})
    user = request.user
    if not (user and user.is_authenticated):
        raise NotAuthenticated()

    def operation() -> Response:
        response = _run(handler, context)
        if response.status_code >= 500:
            raise _Abandon(response)  # store nothing, keep nothing: the client may retry
        return response

    once = run_once(
        scope=user_scope(user),
        key=key,
        fn=operation,
        fingerprint=request_fingerprint(request),
        user=user,
        method=request.method or "",
        path=request.path,
    )
    if once.replayed:
        return Response(once.value, status=once.status_code, headers={REPLAYED_HEADER: "true"})
    return once.value


def user_scope(user: Any) -> str:
    """The scope of a user's API Idempotency-Keys."""
    return f"user:{user.pk}"


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


def _claim(
    *, scope: str, key: str, user_id: int | None, method: str, path: str, fingerprint: str
) -> int | None:
    """Insert the key's record, empty; its id, or None when (scope, key) already has one. One
    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL, SQLite >= 3.35): like a plain insert it
    waits for a concurrent twin's transaction, then inserts if the twin rolled back."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    table = qn(IdempotencyRecord._meta.db_table)
    columns = ", ".join(
        qn(c)
        for c in ("scope", "key", "user_id", "method", "path", "fingerprint", "response_json", "created_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, '', %s) "
            f"ON CONFLICT ({qn('scope')}, {qn('key')}) DO NOTHING RETURNING {qn('id')}",
            [
                scope,
                key,
                user_id,
                method,
                path,
                fingerprint,
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _live_record(*, scope: str, key: str) -> IdempotencyRecord | None:
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if record is not None and record.created_at < _cutoff():
        IdempotencyRecord.objects.filter(pk=record.pk).delete()  # expired: the key is free again
        return None
    return record


def _replayed_value(record: IdempotencyRecord, fingerprint: str) -> Any:
    if record.fingerprint != fingerprint:
        where = f" ({record.method} {record.path} with another body)" if record.method else ""
        raise IdempotencyKeyReused(
            f"The Idempotency-Key {record.key!r} was first used for another request{where}; "
            "use a new key for a new request.",
            detail={"key": record.key},
        )
    return json.loads(record.response_json) if record.response_json else None


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
