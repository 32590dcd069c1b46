"""The order flow to the ERP: batches built once, sent until acknowledged, never rebuilt.

1. ``build_order_batch`` (one durable transaction): locks the ``orders`` stream row (one builder
   at a time; a second one waits, then finds the documents taken), takes the orders not yet in any
   batch in the order of their sale event (``documents.order_events``: the web payment, the till
   sale), then the later documents (cancellations, refunds, returns) of orders already exported or in
   this batch, at most ``ERP_EXPORT_BATCH_SIZE`` documents in all, writes their memberships (an order
   is in one batch: unique in the database; any document too, by its key), renders the file and
   stores its bytes and SHA-256. An exception anywhere rolls all of it back: no half batch.
2. ``send_batch`` writes the stored bytes to ``ERP_OUTBOX_DIR`` (a temporary file, fsync, rename:
   the ERP never sees half a file) and marks the batch sent. Writing it again (``resend_unacknowledged``)
   writes the same bytes under the same name.
3. ``acknowledge_batch`` (the API, or ``ACK_<id>.txt`` in ``ERP_ACK_INBOX_DIR`` read by
   ``process_ack_inbox``): the batch is done; a second acknowledgement changes nothing.

The cursor (``ExportStream.cursor``, ``OrderBatch.cursor_from/to``) is the id of the order event
(``OrderStatusChange``); the batch takes every event not yet exported, not only those above the
cursor, because a payment that committed late may carry a lower id than one already exported. It
looks above ``ExportStream.settled`` only: every sale event up to that id is in a batch, and the
mark never passes an event younger than ``ERP_EXPORT_SETTLE_SECONDS`` (an hour: no transaction
stays open that long), so a late commit below it cannot happen. A night's build reads that night's
sales, not the whole history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from . import documents
from .errors import BatchHashMismatch, BatchNotFound, BatchNotSent
from .formats import check_format, load_profile, render
from .models import BatchStatus, DocumentKind, ExportedDocument, ExportStream, OrderBatch

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from orders.models import OrderStatusChange

ORDERS_STREAM = "orders"


# --- files ------------------------------------------------------------------------------------


def outbox_dir() -> Path:
    return Path(settings.ERP_OUTBOX_DIR)


def write_atomic(path: Path, content: bytes) -> None:
    """``content`` at ``path`` all at once: a temporary file in the same folder, flushed to disk,
    renamed over ``path``. A reader sees the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- building ---------------------------------------------------------------------------------


def _stream() -> ExportStream:
    ExportStream.objects.get_or_create(name=ORDERS_STREAM)
    return ExportStream.objects.select_for_update().get(name=ORDERS_STREAM)


def _exported(kind: str) -> Exists:
    return Exists(ExportedDocument.objects.filter(order_id=OuterRef("order_id"), kind=kind))


def _unexported_events(settled: int) -> QuerySet[OrderStatusChange]:
    return documents.order_events().filter(id__gt=settled).filter(~_exported(DocumentKind.ORDER))


def _new_order_events(limit: int, settled: int) -> list[tuple[int, int, dt.datetime]]:
    """(event id, order id, when) of orders in no batch yet, oldest event first, one per order."""
    events = (
        _unexported_events(settled).order_by("id").values_list("id", "order_id", "created_at")[: limit * 2]
    )
    seen: set[int] = set()
    picked: list[tuple[int, int, dt.datetime]] = []
    for event_id, order_id, at in events:
        if order_id not in seen and len(picked) < limit:
            seen.add(order_id)
            picked.append((event_id, order_id, at))
    return picked


def _later_documents(limit: int) -> list[tuple[dt.datetime, str, int, int]]:
    """(when, kind, source id, order id) of after-sales documents whose order is exported (in an
    earlier batch or in this one), not yet in a batch; oldest first."""
    if limit <= 0:
        return []
    actions = (
        documents.after_sales_actions()
        .filter(_exported(DocumentKind.ORDER))
        .exclude(
            Exists(ExportedDocument.objects.filter(kind=DocumentKind.ACTION, document_key=_key("action")))
        )
        .order_by("created_at", "id")
        .values_list("created_at", "id", "order_id")[:limit]
    )
    returns = (
        documents.till_returns()
        .filter(_exported(DocumentKind.ORDER))
        .exclude(
            Exists(ExportedDocument.objects.filter(kind=DocumentKind.RETURN, document_key=_key("return")))
        )
        .order_by("created_at", "id")
        .values_list("created_at", "id", "order_id")[:limit]
    )
    found = [(at, DocumentKind.ACTION.value, pk, order_id) for at, pk, order_id in actions]
    found += [(at, DocumentKind.RETURN.value, pk, order_id) for at, pk, order_id in returns]
    return sorted(found)[:limit]


def _key(prefix: str) -> Concat:
    """The document key of the outer row: ``"<prefix>:" || id``."""
    return Concat(
        Value(f"{prefix}:"), Cast(OuterRef("id"), output_field=CharField()), output_field=CharField()
    )


def batch_size() -> int:
    return max(1, int(settings.ERP_EXPORT_BATCH_SIZE))


@transaction.atomic(durable=True)
def build_order_batch(*, profile: str | None = None, file_format: str | None = None) -> OrderBatch | None:
    """The next batch of the order flow, or None when nothing is waiting. See the module docstring."""
    chosen = load_profile(profile or settings.ERP_EXPORT_PROFILE)
    fmt = check_format(file_format or settings.ERP_EXPORT_FORMAT)
    stream = _stream()
    size = batch_size()
    events = _new_order_events(size, stream.settled)
    if not events and not _later_documents(1):
        _settle(stream)
        return None  # nothing waits: no batch, no id taken
    batch = OrderBatch.objects.create(profile=chosen.name, file_format=fmt, file_name="", content=b"")
    members = [
        ExportedDocument(
            batch=batch,
            order_id=order_id,
            kind=DocumentKind.ORDER,
            document_key=f"order:{order_id}",
            position=i,
        )
        for i, (_, order_id, _) in enumerate(events)
    ]
    ExportedDocument.objects.bulk_create(members)
    later = _later_documents(size - len(members))
    extra = [
        ExportedDocument(
            batch=batch, order_id=order_id, kind=kind, document_key=f"{kind}:{pk}", position=len(members) + i
        )
        for i, (_, kind, pk, order_id) in enumerate(later)
    ]
    ExportedDocument.objects.bulk_create(extra)
    order_docs = documents.order_rows([m.order_id for m in members], event_at={o: at for _, o, at in events})
    action_docs = documents.action_rows([pk for _, kind, pk, _ in later if kind == DocumentKind.ACTION])
    return_docs = documents.return_rows([pk for _, kind, pk, _ in later if kind == DocumentKind.RETURN])
    sources = {DocumentKind.ACTION.value: action_docs, DocumentKind.RETURN.value: return_docs}
    rows = [row for m in members for row in order_docs[m.order_id]]
    rows += [row for _, kind, pk, _ in later for row in sources[kind][pk]]
    batch.content = render(
        kind="orders", rows=rows, profile=chosen, file_format=fmt, attributes={"batch": str(batch.pk)}
    )
    batch.content_hash = hashlib.sha256(batch.content).hexdigest()
    batch.file_name = f"ORDERS_{batch.pk:08d}.{fmt}"
    batch.document_count = len(members) + len(extra)
    batch.order_count = len(members)
    if events:
        batch.cursor_from = min(e for e, _, _ in events)
        batch.cursor_to = max(e for e, _, _ in events)
        if batch.cursor_to > stream.cursor:
            stream.cursor = batch.cursor_to
            stream.save(update_fields=["cursor", "updated_at"])
    else:
        batch.cursor_from = batch.cursor_to = stream.cursor
    batch.save()
    _settle(stream)
    return batch


def _settle(stream: ExportStream) -> None:
    """Raise ``stream.settled`` to just below the first sale event still in no batch, but never past
    an event younger than ``ERP_EXPORT_SETTLE_SECONDS`` (one still-open transaction may hold a lower
    id). Two short index walks from the mark up, whatever the history."""
    horizon = timezone.now() - dt.timedelta(seconds=settings.ERP_EXPORT_SETTLE_SECONDS)
    old = (
        documents.order_events()
        .filter(id__gt=stream.settled, created_at__lt=horizon)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if old is None:
        return
    waiting = (
        _unexported_events(stream.settled).filter(id__lte=old).order_by("id").values_list("id", flat=True)
    )
    first_waiting = waiting.first()
    settled = old if first_waiting is None else first_waiting - 1
    if settled > stream.settled:
        stream.settled = settled
        stream.save(update_fields=["settled", "updated_at"])


# --- sending ----------------------------------------------------------------------------------


def send_batch(*, batch_id: int, outbox: Path | None = None) -> OrderBatch:
    """Write the batch's stored bytes to the outbox folder (atomically) and mark it sent. An
    acknowledged batch is not written again."""
    batch = OrderBatch.objects.get(pk=batch_id)
    if batch.status == BatchStatus.ACKNOWLEDGED:
        return batch
    write_atomic((outbox or outbox_dir()) / batch.file_name, bytes(batch.content))
    with transaction.atomic():
        batch = OrderBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != BatchStatus.ACKNOWLEDGED:
            batch.status = BatchStatus.SENT
        batch.attempts += 1
        batch.sent_at = timezone.now()
        batch.save(update_fields=["status", "attempts", "sent_at"])
    return batch


def resend_unacknowledged(*, outbox: Path | None = None) -> list[int]:
    """Every batch built or sent but not acknowledged, written out again: the same bytes."""
    ids = list(
        OrderBatch.objects.exclude(status=BatchStatus.ACKNOWLEDGED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for batch_id in ids:
        send_batch(batch_id=batch_id, outbox=outbox)
    return ids


@dataclass(frozen=True)
class OrderExportResult:
    resent: list[int]
    built: list[int]
    acknowledged: list[int]


def export_orders(
    *,
    profile: str | None = None,
    file_format: str | None = None,
    outbox: Path | None = None,
    max_batches: int = 1000,
) -> OrderExportResult:
    """The nightly run: read the ack files, write again what the ERP has not acknowledged, then
    build and send new batches until nothing is waiting (a peak becomes several files)."""
    acknowledged = process_ack_inbox()
    resent = resend_unacknowledged(outbox=outbox)
    built = []
    for _ in range(max_batches):
        batch = build_order_batch(profile=profile, file_format=file_format)
        if batch is None:
            break
        send_batch(batch_id=batch.pk, outbox=outbox)
        built.append(batch.pk)
    return OrderExportResult(resent=resent, built=built, acknowledged=acknowledged)


# --- acknowledging ----------------------------------------------------------------------------


@transaction.atomic
def acknowledge_batch(*, batch_id: int, via: str, content_hash: str = "") -> OrderBatch:
    """The ERP read the batch. Refused: unknown (``BatchNotFound``), never sent (``BatchNotSent``),
    a hash that is not the batch's (``BatchHashMismatch``). Acknowledging twice changes nothing."""
    batch = OrderBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise BatchNotFound(detail={"batch": batch_id})
    if content_hash and content_hash.lower() != batch.content_hash:
        raise BatchHashMismatch(detail={"batch": batch_id, "expected": batch.content_hash})
    if batch.status == BatchStatus.ACKNOWLEDGED:
        return batch
    if batch.status != BatchStatus.SENT:
        raise BatchNotSent(detail={"batch": batch_id, "status": batch.status})
    batch.status = BatchStatus.ACKNOWLEDGED
    batch.acknowledged_at = timezone.now()
    batch.acknowledged_via = via
    batch.save(update_fields=["status", "acknowledged_at", "acknowledged_via"])
    return batch


def ack_inbox_dir() -> Path | None:
    """Where the ERP drops its ack files: ``ERP_ACK_INBOX_DIR``, else the import inbox's top folder
    (the imports read only its ``<kind>/`` subfolders); None when neither is set."""
    folder = settings.ERP_ACK_INBOX_DIR or settings.ERP_INBOX_DIR
    return Path(folder) if folder else None


def process_ack_inbox() -> list[int]:
    """Read ``ACK_<batch id>.txt`` files (content: empty, or the batch's SHA-256); each is moved to
    ``done/`` once applied, or to ``failed/`` with a ``.reason`` file beside it. Returns the batch
    ids acknowledged by this call."""
    folder = ack_inbox_dir()
    if folder is None or not folder.is_dir():
        return []
    done: list[int] = []
    for path in sorted(folder.glob("ACK_*.txt")):
        reason = ""
        try:
            batch_id = int(path.stem.removeprefix("ACK_"))
            content_hash = path.read_text(encoding="utf-8-sig").strip().split()[0:1]
            acknowledge_batch(
                batch_id=batch_id, via="file", content_hash=content_hash[0] if content_hash else ""
            )
            done.append(batch_id)
        except ValueError:
            reason = "the file name does not say which batch (ACK_<batch id>.txt)"
        except (BatchNotFound, BatchNotSent, BatchHashMismatch) as exc:
            reason = f"{exc.code}: {exc.message}"
        target = folder / ("failed" if reason else "done")
        target.mkdir(exist_ok=True)
        os.replace(path, target / path.name)
        if reason:
            write_atomic(target / f"{path.name}.reason", reason.encode())
    return done
