"""The transactional outbox: the side effects of a committed write reach Celery once, broker up or down.

A service that owes a task to a write calls, inside its transaction::

    outbox.enqueue(tasks.send_receipt_email, order_id=order.pk, email=email)

That writes an ``OutboxMessage`` row in the caller's transaction (``enqueue`` refuses to run outside
one): the row exists if and only if the write does, and a rollback sends nothing. Then:

1. **After commit, one quick attempt** (``transaction.on_commit``): the message is published on a
   pooled broker connection with a short timeout (``OUTBOX_PUBLISH_TIMEOUT``), no connection retries and no
   publish retries, so a broker that refuses costs milliseconds and a silent one at most the timeout.
   A failure opens a per-process breaker for ``OUTBOX_BREAKER_SECONDS``: the next requests do not
   even try, the rows wait for the relay. The request never fails because of the broker.
2. **The relay** (``relay()``), run by ``manage.py relay_outbox`` (a loop, its own process: it works
   while the broker is down, which beat cannot), by the beat task ``core.tasks.relay_outbox`` and
   when a worker starts (``config.celery_app``). It takes due pending rows with
   ``SELECT ... FOR UPDATE SKIP LOCKED`` (relays in parallel never take the same row), publishes
   them and marks them ``sent``; on a broker error the rows get ``attempts + 1``, ``last_error`` and
   ``next_attempt_at`` after an exponential backoff (``OUTBOX_RETRY_BASE_SECONDS`` doubling up to
   ``OUTBOX_RETRY_MAX_SECONDS``); after ``OUTBOX_MAX_ATTEMPTS`` a row is ``failed`` (the admin's
   "Retry now" sends it again).
3. **Once on the task side.** The message is published with its id as the task id and in the
   ``outbox_id`` header. Every task of the app is an ``OutboxTask`` (``config.celery_app``): given
   that header it claims the row (``claimed_at``; a retry of the same delivery may take over its own
   claim), runs, then stamps ``delivered_at``. A second copy of the message (the relay died after
   publishing and before marking, so it published again) finds the row delivered or claimed and
   does nothing. A failure releases the claim and raises, so Celery's own retries still work.

With eager Celery (the demo, tests without Redis) the message is marked sent and its task applied
in-process after commit, exactly as ``on_commit(lambda: task.delay(...))`` did.

``purge_sent_messages`` (beat, ``core.tasks.purge_outbox``) deletes sent rows older than
``OUTBOX_RETENTION_DAYS``.

Tasks are referenced by object or by name: core never imports the apps that own them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from celery import Celery, Task, current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

HEADER = "outbox_id"
CLAIM_LEASE = dt.timedelta(minutes=10)  # a worker that died mid-task: its claim lapses after this

TaskRef = Task[Any, Any] | str


class NotInTransaction(RuntimeError):
    """``enqueue`` outside ``transaction.atomic``: the message would not be tied to any write."""


@dataclass
class RelayResult:
    published: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)
    error: str = ""


# --- writing a message ----------------------------------------------------------------------------


def enqueue(task: TaskRef, /, *, key: str | None = None, **kwargs: Any) -> OutboxMessage:
    """Owe ``task(**kwargs)`` to the current transaction: sent after commit, never on rollback.

    ``task`` is a Celery task or its name; ``kwargs`` must be plain JSON (ids, strings, numbers),
    checked now. ``key`` (optional) makes the message unique: a second ``enqueue`` with the same key
    writes nothing and returns the first message.
    """
    if not _in_transaction():
        raise NotInTransaction("outbox.enqueue() must be called inside transaction.atomic().")
    name = task if isinstance(task, str) else task.name
    json.dumps(kwargs)  # a TypeError here, not in the relay
    app = _app(task)
    eager = bool(app.conf.task_always_eager)
    now = timezone.now()
    # Not due for the relay loop at once: the quick attempt after commit goes first.
    due = now if eager else now + dt.timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS)
    fields = {"task_name": name, "kwargs": kwargs, "created_at": now, "next_attempt_at": due}
    if key is None:
        message = OutboxMessage.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(key=key, **fields)
        except IntegrityError:
            return OutboxMessage.objects.get(key=key)
    if eager:
        message_id = message.pk
        transaction.on_commit(lambda: _deliver_eagerly(app, [message_id]))
    else:
        transaction.on_commit(lambda: _quick_attempt(app, message), robust=True)
    return message


# --- relaying -------------------------------------------------------------------------------------


def relay(
    *, ids: Iterable[uuid.UUID | str] | None = None, limit: int | None = None, app: Celery | None = None
) -> RelayResult:
    """Publish pending messages: the due ones (oldest first), or exactly ``ids`` whatever their due time.

    One transaction: the rows are locked with ``FOR UPDATE SKIP LOCKED`` (another relay skips them),
    published, then marked sent; the first broker error stops the batch and postpones what is left.
    """
    app = app or current_app
    limit = limit or settings.OUTBOX_RELAY_BATCH
    eager = bool(app.conf.task_always_eager)
    result = RelayResult()
    with transaction.atomic(durable=True):
        now = timezone.now()
        query = OutboxMessage.objects.select_for_update(skip_locked=True).filter(status=OutboxStatus.PENDING)
        # Given ids: whatever their due time (the after-commit attempt, "Retry now"); else the due ones.
        query = query.filter(pk__in=list(ids)) if ids is not None else query.filter(next_attempt_at__lte=now)
        messages = list(query.order_by("next_attempt_at", "created_at")[:limit])
        if not messages:
            return result
        published: list[OutboxMessage] = []
        error: Exception | None = None
        if eager:  # marked and run one by one after this transaction: an error leaves the rest pending
            result.published = [m.pk for m in messages]
        else:
            published, error = _publish(app, messages)
            result.published = [m.pk for m in published]
        _mark_sent(published, now=now)
        if error is not None:
            rest = messages[len(published) :]
            _postpone(rest, error=error, now=now)
            result.failed = [m.pk for m in rest]
            result.error = _describe(error)
    if eager:
        _deliver_eagerly(app, result.published)
    return result


def relay_all(*, app: Celery | None = None, limit: int | None = None) -> RelayResult:
    """``relay()`` until nothing due is left or the broker fails: the loop's and beat's unit of work."""
    total = RelayResult()
    batch = limit or settings.OUTBOX_RELAY_BATCH
    while True:
        result = relay(app=app, limit=batch)
        total.published += result.published
        total.failed += result.failed
        total.error = result.error or total.error
        if result.failed or len(result.published) < batch:
            return total


def retry_now(*, ids: Sequence[uuid.UUID | str], app: Celery | None = None) -> RelayResult:
    """The admin's "Retry now": pending or failed messages are relayed at once, with a fresh count of
    attempts (a failed one gets ``OUTBOX_MAX_ATTEMPTS`` more)."""
    waiting = OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED])
    waiting.filter(pk__in=list(ids)).update(
        status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    return relay(ids=ids, limit=len(ids) or 1, app=app)


@transaction.atomic
def purge_sent_messages(*, now: dt.datetime | None = None) -> int:
    """Delete messages sent more than ``OUTBOX_RETENTION_DAYS`` ago; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxMessage.objects.filter(status=OutboxStatus.SENT, sent_at__lt=cutoff).delete()
    return deleted


def backoff(attempts: int) -> dt.timedelta:
    """How long a message waits after its ``attempts``-th failed publish (1 -> base, doubling, capped)."""
    base = float(settings.OUTBOX_RETRY_BASE_SECONDS)
    seconds = min(float(settings.OUTBOX_RETRY_MAX_SECONDS), base * 2 ** min(max(attempts - 1, 0), 30))
    return dt.timedelta(seconds=seconds)


def broker_seems_down() -> bool:
    """True while the breaker is open: a publish failed less than ``OUTBOX_BREAKER_SECONDS`` ago."""
    return time.monotonic() < _breaker["open_until"]


def reset_breaker() -> None:
    _breaker["open_until"] = 0.0


# --- the task side --------------------------------------------------------------------------------


class OutboxTask(Task[Any, Any]):
    """The base of every task (``Celery(task_cls=...)``): a message from the outbox runs once.

    A task called without the ``outbox_id`` header (``delay()``, beat, a direct call) just runs.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        message_id = _header(self.request)
        if message_id is None:
            return super().__call__(*args, **kwargs)
        retries = int(getattr(self.request, "retries", 0) or 0)
        if not claim_delivery(message_id, retries=retries):
            logger.info("outbox: %s (%s) already delivered or running: skipped", message_id, self.name)
            return None
        try:
            value = super().__call__(*args, **kwargs)
        except BaseException:
            release_delivery(message_id, retries=retries)
            raise
        mark_delivered(message_id)
        return value


def claim_delivery(message_id: uuid.UUID | str, *, retries: int = 0) -> bool:
    """Take the message for running: False if it was delivered, or another copy runs it now.

    Celery's retry of this same delivery (more ``retries``) may take over the claim, which its
    failing predecessor is about to release; a claim older than ``CLAIM_LEASE`` (a dead worker) too.
    """
    now = timezone.now()
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE) | Q(claim_retries__lt=retries)
    claimed = OutboxMessage.objects.filter(free, pk=message_id, delivered_at__isnull=True).update(
        claimed_at=now, claim_retries=retries
    )
    return bool(claimed)


def release_delivery(message_id: uuid.UUID | str, *, retries: int = 0) -> None:
    OutboxMessage.objects.filter(pk=message_id, delivered_at__isnull=True, claim_retries=retries).update(
        claimed_at=None
    )


def mark_delivered(message_id: uuid.UUID | str) -> None:
    OutboxMessage.objects.filter(pk=message_id).update(delivered_at=timezone.now(), claimed_at=None)


# --- internals ------------------------------------------------------------------------------------

_breaker = {"open_until": 0.0}


def _in_transaction() -> bool:
    """Inside a real ``atomic`` block (the test case's own wrapper does not count)."""
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _app(task: TaskRef) -> Celery:
    app = task.app if isinstance(task, Task) else current_app
    return app


def _quick_attempt(app: Celery, message: OutboxMessage) -> None:
    """After commit: one try on a short timeout, skipped while the breaker is open.

    No row lock: the relay loop leaves the row alone for ``OUTBOX_RELAY_GRACE_SECONDS`` (not due),
    far longer than this try can take, so the request pays one publish and one UPDATE."""
    if broker_seems_down():
        return
    published, error = _publish(app, [message])
    now = timezone.now()
    if error is None:
        _mark_sent(published, now=now)
    else:
        _postpone([message], error=error, now=now)


def _deliver_eagerly(app: Celery, ids: list[uuid.UUID]) -> None:
    """Eager Celery: mark sent, then run the task here, after commit (what ``delay()`` did)."""
    for message_id in ids:
        message = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING).first()
        if message is not None and _mark_sent([message], now=timezone.now()):
            _apply(app, message.task_name, message.kwargs, message.pk)


def _apply(app: Celery, name: str, kwargs: dict[str, Any], message_id: uuid.UUID) -> None:
    task = _task(app, name)
    task.apply_async(kwargs=kwargs, task_id=str(message_id), headers={HEADER: str(message_id)})


def _task(app: Celery, name: str) -> Task[Any, Any]:
    try:
        return app.tasks[name]
    except KeyError:
        app.loader.import_default_modules()  # autodiscover the apps' tasks modules, then look again
        return app.tasks[name]


def _publish(app: Celery, messages: list[OutboxMessage]) -> tuple[list[OutboxMessage], Exception | None]:
    """Send ``messages`` in order on one pooled short-timeout connection; stop at the first error."""
    published: list[OutboxMessage] = []
    try:
        with _pool(app).acquire(block=True, timeout=float(settings.OUTBOX_PUBLISH_TIMEOUT)) as connection:
            try:
                producer = app.amqp.Producer(connection, auto_declare=False)
                for message in messages:
                    app.send_task(
                        message.task_name,
                        kwargs=message.kwargs,
                        task_id=str(message.pk),
                        headers={HEADER: str(message.pk)},
                        producer=producer,
                        retry=False,
                        ignore_result=True,
                    )
                    published.append(message)
            except Exception:
                connection.collect()  # back in the pool without its broken socket: reconnects on next use
                raise
    except Exception as exc:  # any broker trouble: the rows wait for the next try
        _breaker["open_until"] = time.monotonic() + float(settings.OUTBOX_BREAKER_SECONDS)
        logger.warning("outbox: publishing failed after %d of %d: %s", len(published), len(messages), exc)
        return published, exc
    reset_breaker()
    return published, None


_pools: dict[tuple[str, float], Any] = {}
_pools_lock = threading.Lock()


def _pool(app: Celery) -> Any:
    """This process's pool of publishing connections to ``app``'s broker: one connection attempt
    (kombu ``max_retries=0``), ``OUTBOX_PUBLISH_TIMEOUT`` to connect and per socket operation."""
    timeout = float(settings.OUTBOX_PUBLISH_TIMEOUT)
    key = (str(app.conf.broker_url), timeout)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            options = {"max_retries": 0, "socket_connect_timeout": timeout, "socket_timeout": timeout}
            connection = app.connection_for_write(connect_timeout=timeout, transport_options=options)
            pool = _pools[key] = connection.Pool(limit=int(settings.OUTBOX_PUBLISH_POOL_SIZE))
        return pool


def _mark_sent(messages: list[OutboxMessage], *, now: dt.datetime) -> int:
    """Pending -> sent; returns how many rows this call moved."""
    if not messages:
        return 0
    return OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], status=OutboxStatus.PENDING).update(
        status=OutboxStatus.SENT, sent_at=now, attempts=F("attempts") + 1, last_error=""
    )


def _postpone(messages: list[OutboxMessage], *, error: Exception, now: dt.datetime) -> None:
    limit = int(settings.OUTBOX_MAX_ATTEMPTS)
    for message in messages:
        message.attempts += 1
        message.last_error = _describe(error)
        message.next_attempt_at = now + backoff(message.attempts)
        if limit and message.attempts >= limit:
            message.status = OutboxStatus.FAILED
            logger.error("outbox: %s (%s) failed %d times: given up", message.pk, message.task_name, limit)
    OutboxMessage.objects.bulk_update(messages, ["attempts", "last_error", "next_attempt_at", "status"])


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _header(request: Any) -> str | None:
    """The message id a task was sent with: a header on a worker, ``request.headers`` when eager."""
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return str(value) if value else None
