"""From a packed parcel to a delivered order: labels, hand-over to the carrier, tracking.

- ``create_label(parcel_id=...)`` asks the shipment's carrier for a label OUTSIDE any transaction,
  renders the 10x15 PDF (``logistics.labels.render_label``), stores it and the tracking number;
  when every parcel of the shipment has its label, the shipment is LABELLED. A carrier that is down
  or refuses leaves the parcel in "label failed" with the reason (``label_attempts`` + 1) and changes
  nothing else. One label per parcel, whatever the number of tasks: the parcel is claimed first
  (``label_claimed_at``, a lease) and a parcel that has its label is never asked for again.
- ``retry_label`` queues the label task again (staff, dispatch page, API).
- ``hand_over`` marks a labelled shipment SHIPPED; when every shipment of the order that is not
  cancelled has left, the order becomes SHIPPED (``orders.services.transition_order``: the shipped
  e-mail and text are its effects).
- ``record_tracking`` stores carrier events once each (``event_key``), moves the parcel forward only,
  the shipment follows its parcels, and the order is COMPLETED when every parcel is delivered. A
  first scan of a labelled shipment that nobody marked handed over counts as the hand-over.

Locks: every service that moves shipments locks all the shipments of the order, in id order, then
the parcel rows: two writers on one order (a webhook and the poll, a hand-over and a scan) queue up
instead of both moving the order.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import outbox
from orders import services as order_services
from orders.models import Order, OrderStatus

from .carriers import (
    CarrierError,
    InvalidCarrierWebhook,
    LabelRequest,
    LabelResult,
    PostalAddress,
    TrackingUpdate,
    get_carrier,
)
from .errors_shipping import (
    InvalidWebhookSignature,
    LabelAlreadyReady,
    LabelInProgress,
    LabelsNotReady,
    ParcelNotFound,
    ShipmentNotFound,
    ShipmentNotReady,
)
from .fulfilment_models import LabelStatus, Parcel, Shipment, ShipmentStatus, TrackingEvent, TrackingSource
from .labels import LabelData, render_label
from .selectors_shipping import shipment_labels

if TYPE_CHECKING:
    from accounts.models import User
    from inventory.models import Location

logger = logging.getLogger(__name__)

LABEL_TASK = "logistics.tasks_shipping.create_parcel_label"
CLAIM_LEASE = dt.timedelta(minutes=5)  # a label task that died: another may ask after this

# Where a parcel (and a shipment) can be, in the order it moves; never backwards. An exception
# (failed attempt, damage) can still be followed by the delivery.
PROGRESS: dict[str, int] = {
    ShipmentStatus.PACKED: 0,
    ShipmentStatus.LABELLED: 0,
    ShipmentStatus.SHIPPED: 1,
    ShipmentStatus.IN_TRANSIT: 2,
    ShipmentStatus.OUT_FOR_DELIVERY: 3,
    ShipmentStatus.EXCEPTION: 4,
    ShipmentStatus.DELIVERED: 5,
}
LEFT = (
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.EXCEPTION,
    ShipmentStatus.DELIVERED,
)
NOT_DELIVERED = tuple(status for status in LEFT if status != ShipmentStatus.DELIVERED)


# --- labels ---------------------------------------------------------------------------------------


def create_label(*, parcel_id: int) -> Parcel:
    """Get the carrier's label for a parcel, store its PDF and tracking number.

    Returns the parcel as it is now: with its label, or unchanged when another task holds it or it
    already has one. A ``CarrierError`` is recorded on the parcel (FAILED, reason, attempts + 1) and
    raised again, so the task can retry the retryable ones.
    """
    parcel = _claim_for_label(parcel_id)
    if parcel is None:
        return Parcel.objects.get(pk=parcel_id)
    shipment = parcel.shipment
    try:
        carrier = get_carrier(shipment.carrier)
        request = label_request(parcel)
        result = carrier.create_label(request)
        tracking_url = carrier.tracking_url(result.tracking_number)
        pdf = _render_pdf(parcel=parcel, request=request, result=result, carrier_name=carrier.name)
    except CarrierError as error:
        _record_label_failure(parcel_id, error.reason)
        raise
    except Exception as error:  # rendering or an unexpected answer: the parcel says so, then the bug
        _record_label_failure(parcel_id, f"{type(error).__name__}: {error}")
        raise
    # The file is written before the row points at it: a crash between the two leaves an orphan file,
    # never a parcel whose label is missing.
    name = f"{shipment.number}-{parcel.pk}.pdf"
    stored = parcel.label_pdf.storage.save(
        parcel.label_pdf.field.generate_filename(parcel, name), ContentFile(pdf)
    )
    return _record_label(parcel_id, result=result, tracking_url=tracking_url, stored_name=stored)


def parcel_position(parcel: Parcel) -> tuple[int, int]:
    """(k, n): the parcel is the k-th of the shipment's n parcels."""
    ids = list(
        Parcel.objects.filter(shipment_id=parcel.shipment_id).order_by("id").values_list("id", flat=True)
    )
    return ids.index(parcel.pk) + 1, len(ids)


def label_request(parcel: Parcel) -> LabelRequest:
    """What the carrier is asked: from the shipping location to the order's delivery address."""
    shipment = parcel.shipment
    order = shipment.order
    index, _count = parcel_position(parcel)
    return LabelRequest(
        reference=f"{shipment.number}-{index}",
        sender=location_address(shipment.location),
        recipient=recipient_address(order),
        weight_grams=parcel.weight_grams,
        value_eur=str(order.total_gross_eur),
    )


def location_address(location: Location) -> PostalAddress:
    return PostalAddress(
        name=location.name,
        line1=location.address_line,
        postal_code=location.postal_code,
        city=location.city,
        country=location.country or "FR",
        phone=location.phone,
        email=location.email,
    )


def recipient_address(order: Order) -> PostalAddress:
    snapshot: dict[str, Any] = order.shipping_address or {}

    def get(name: str) -> str:
        return str(snapshot.get(name) or "")

    name = " ".join(part for part in (get("first_name"), get("last_name")) if part)
    return PostalAddress(
        name=name or get("name"),
        line1=get("line1"),
        line2=get("line2"),
        postal_code=get("postal_code"),
        city=get("city"),
        country=get("country") or "FR",
        company=get("company"),
        phone=get("phone") or order.phone,
        email=order.email,
    )


@transaction.atomic
def retry_label(*, parcel_id: int, user: User | None) -> Parcel:
    """Ask for a failed (or stuck) parcel's label again: back to PENDING, the task queued.

    ``LabelAlreadyReady`` for a parcel that has its label, ``LabelInProgress`` while a task is asking
    the carrier for it (its claim runs ``CLAIM_LEASE``): nothing changes, so a parcel never gets two."""
    parcel = Parcel.objects.select_for_update().filter(pk=parcel_id).first()
    if parcel is None:
        raise ParcelNotFound(detail={"parcel": parcel_id})
    if parcel.label_status == LabelStatus.READY:
        raise LabelAlreadyReady(detail={"parcel": parcel_id, "tracking_number": parcel.tracking_number})
    if _claimed(parcel, timezone.now()):
        raise LabelInProgress(detail={"parcel": parcel_id})
    shipment = Shipment.objects.get(pk=parcel.shipment_id)
    if shipment.status == ShipmentStatus.CANCELLED:
        raise ShipmentNotReady(
            "This shipment was cancelled: it needs no label.", detail={"shipment": shipment.number}
        )
    parcel.label_status = LabelStatus.PENDING
    parcel.label_error = ""
    parcel.label_claimed_at = None  # a lapsed claim (its task died): the new task may take it
    parcel.save(update_fields=["label_status", "label_error", "label_claimed_at", "updated_at"])
    outbox.enqueue(LABEL_TASK, parcel_id=parcel.pk)
    logger.info("label of parcel %s asked again by %s", parcel.pk, getattr(user, "pk", None))
    return parcel


@transaction.atomic
def retry_failed_labels(*, shipment: Shipment, user: User | None) -> list[Parcel]:
    """``retry_label`` for every parcel of the shipment whose label failed or is stuck pending (those
    a task is asking for right now are left to it). ``LabelAlreadyReady`` when every label is there,
    ``LabelInProgress`` when the missing ones are all being asked for."""
    now = timezone.now()
    missing = list(shipment.parcels.exclude(label_status=LabelStatus.READY).order_by("id"))
    if not missing:
        raise LabelAlreadyReady(
            "Every parcel of this shipment has its label.", detail={"shipment": shipment.number}
        )
    idle = [p.pk for p in missing if not _claimed(p, now)]
    if not idle:
        raise LabelInProgress(detail={"shipment": shipment.number})
    return [retry_label(parcel_id=parcel_id, user=user) for parcel_id in idle]


def _claimed(parcel: Parcel, now: dt.datetime) -> bool:
    return parcel.label_claimed_at is not None and parcel.label_claimed_at > now - CLAIM_LEASE


def _claim_for_label(parcel_id: int) -> Parcel | None:
    """Take the parcel for one label request: None if it has its label, its shipment is cancelled,
    or another task asks the carrier right now (its lease still runs)."""
    now = timezone.now()
    with transaction.atomic():
        parcel = (
            Parcel.objects.select_for_update(of=("self",))
            .select_related("shipment__order", "shipment__location")
            .filter(pk=parcel_id)
            .first()
        )
        if parcel is None:
            raise ParcelNotFound(detail={"parcel": parcel_id})
        busy = _claimed(parcel, now)
        if (
            parcel.label_status == LabelStatus.READY
            or busy
            or parcel.shipment.status == ShipmentStatus.CANCELLED
        ):
            return None
        parcel.label_claimed_at = now
        parcel.save(update_fields=["label_claimed_at"])
    return parcel


@transaction.atomic
def _record_label_failure(parcel_id: int, reason: str) -> None:
    parcel = Parcel.objects.select_for_update().get(pk=parcel_id)
    if parcel.label_status == LabelStatus.READY:  # another task made it after our lease lapsed
        return
    parcel.label_status = LabelStatus.FAILED
    parcel.label_error = reason[:250]
    parcel.label_attempts += 1
    parcel.label_claimed_at = None
    parcel.save(
        update_fields=["label_status", "label_error", "label_attempts", "label_claimed_at", "updated_at"]
    )


@transaction.atomic
def _record_label(parcel_id: int, *, result: LabelResult, tracking_url: str, stored_name: str) -> Parcel:
    parcel = Parcel.objects.select_for_update().get(pk=parcel_id)
    if parcel.label_status == LabelStatus.READY:  # another task made it after our lease lapsed
        parcel.label_pdf.storage.delete(stored_name)
        return parcel
    parcel.label_pdf.name = stored_name
    parcel.tracking_number = result.tracking_number
    parcel.tracking_url = tracking_url[:300]
    parcel.carrier_reference = (result.carrier_reference or result.tracking_number)[:120]
    parcel.label_status = LabelStatus.READY
    parcel.label_error = ""
    parcel.label_attempts += 1
    parcel.label_claimed_at = None
    parcel.save()
    shipment = Shipment.objects.select_for_update().get(pk=parcel.shipment_id)
    waiting = shipment.parcels.exclude(label_status=LabelStatus.READY).exists()
    if shipment.status == ShipmentStatus.PACKED and not waiting:
        shipment.status = ShipmentStatus.LABELLED
        shipment.save(update_fields=["status", "updated_at"])
    return parcel


def _render_pdf(*, parcel: Parcel, request: LabelRequest, result: LabelResult, carrier_name: str) -> bytes:
    index, count = parcel_position(parcel)
    data = LabelData(
        carrier_name=carrier_name,
        service=result.service,
        sender=request.sender,
        recipient=request.recipient,
        weight_grams=request.weight_grams,
        tracking_number=result.tracking_number,
        reference=f"{parcel.shipment.number} / {parcel.shipment.order.number}",
        parcel_index=index,
        parcel_count=count,
        routing_code=result.routing_code,
        shipped_on=timezone.localdate(),
    )
    return render_label(data)


# --- hand-over ------------------------------------------------------------------------------------


@transaction.atomic
def hand_over(*, shipment: Shipment, user: User | None) -> Shipment:
    """The carrier took the shipment ("handed over" button, end-of-day dispatch): SHIPPED, and the
    order SHIPPED once every shipment of it that is not cancelled has left.

    A shipment that already left is returned as it is; one without all its labels is refused
    (``ShipmentNotReady``) and nothing changes."""
    shipments = _lock_order_shipments(shipment.order_id)
    current = shipments[shipment.pk]
    if current.status in LEFT:
        return current
    if current.status != ShipmentStatus.LABELLED:
        raise ShipmentNotReady(
            f"Shipment {current.number} is {current.get_status_display().lower()}: "
            "every parcel needs its label before it is handed to the carrier.",
            detail={"shipment": current.number, "status": current.status},
        )
    _mark_shipped(current, at=timezone.now())
    _order_follows(current.order_id, shipments, user=user)
    return current


def _mark_shipped(shipment: Shipment, *, at: dt.datetime) -> None:
    shipment.status = ShipmentStatus.SHIPPED
    shipment.shipped_at = at
    shipment.save(update_fields=["status", "shipped_at", "updated_at"])
    shipment.parcels.filter(status__in=[ShipmentStatus.PACKED, ShipmentStatus.LABELLED]).update(
        status=ShipmentStatus.SHIPPED, updated_at=at
    )


def _lock_order_shipments(order_id: int) -> dict[int, Shipment]:
    """Every shipment of the order, locked in id order: writers on one order queue up here."""
    rows = Shipment.objects.select_for_update().filter(order_id=order_id).order_by("id")
    return {shipment.pk: shipment for shipment in rows}


def _order_follows(order_id: int, shipments: dict[int, Shipment], *, user: User | None) -> None:
    """SHIPPED when every live shipment has left; COMPLETED when every one is delivered."""
    live = [s for s in shipments.values() if s.status != ShipmentStatus.CANCELLED]
    if not live:
        return
    order = Order.objects.get(pk=order_id)
    if order.status == OrderStatus.PAID and all(s.status in LEFT for s in live):
        order = order_services.transition_order(order=order, to_status=OrderStatus.SHIPPED, user=user)
    if order.status == OrderStatus.SHIPPED and all(s.status == ShipmentStatus.DELIVERED for s in live):
        order_services.transition_order(
            order=order, to_status=OrderStatus.COMPLETED, user=user, note="delivered"
        )


# --- tracking -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingResult:
    recorded: int  # new events stored
    status: str  # the parcel's status after them


@transaction.atomic
def record_tracking(
    *, parcel: Parcel, updates: Iterable[TrackingUpdate], source: str = TrackingSource.POLL
) -> TrackingResult:
    """Store the carrier's events of a parcel (a replayed ``event_key`` changes nothing), move the
    parcel forward only, the shipment after its parcels, and the order after its shipments."""
    updates = sorted(updates, key=lambda u: u.occurred_at)
    shipment_id = Shipment.objects.filter(parcels=parcel.pk).values_list("id", flat=True).get()
    order_id = Shipment.objects.filter(pk=shipment_id).values_list("order_id", flat=True).get()
    shipments = _lock_order_shipments(order_id)
    shipment = shipments[shipment_id]
    parcels = {p.pk: p for p in Parcel.objects.select_for_update().filter(shipment=shipment).order_by("id")}
    current = parcels[parcel.pk]
    known = set(TrackingEvent.objects.filter(parcel=current).values_list("event_key", flat=True))
    fresh: list[TrackingUpdate] = []
    for update in updates:
        if update.event_key not in known and update.status in PROGRESS:
            known.add(update.event_key)
            fresh.append(update)
    if not fresh:
        return TrackingResult(recorded=0, status=current.status)
    TrackingEvent.objects.bulk_create(
        [
            TrackingEvent(
                parcel=current,
                event_key=u.event_key[:120],
                status=str(u.status),
                code=u.code[:40],
                description=u.description[:250],
                place=u.place[:120],
                occurred_at=u.occurred_at,
                source=source,
            )
            for u in fresh
        ]
    )
    moved = False
    if shipment.status == ShipmentStatus.LABELLED:  # the carrier scanned it: it was handed over
        _mark_shipped(shipment, at=fresh[0].occurred_at)
        for p in parcels.values():
            p.refresh_from_db(fields=["status"])
        moved = True
    furthest = max(fresh, key=lambda u: PROGRESS[u.status])
    if shipment.status in LEFT and PROGRESS[furthest.status] > PROGRESS[current.status]:
        current.status = str(furthest.status)
        current.save(update_fields=["status", "updated_at"])
        _shipment_follows(shipment, list(parcels.values()), at=furthest.occurred_at)
        moved = True
    if moved:
        _order_follows(order_id, shipments, user=None)
    return TrackingResult(recorded=len(fresh), status=current.status)


def _shipment_follows(shipment: Shipment, parcels: Sequence[Parcel], *, at: dt.datetime) -> None:
    statuses = [p.status for p in parcels]
    if all(s == ShipmentStatus.DELIVERED for s in statuses):
        status = str(ShipmentStatus.DELIVERED)
    elif ShipmentStatus.EXCEPTION in statuses:
        status = str(ShipmentStatus.EXCEPTION)
    else:
        status = min((s for s in statuses if s != ShipmentStatus.DELIVERED), key=lambda s: PROGRESS[s])
        status = max(status, str(ShipmentStatus.SHIPPED), key=lambda s: PROGRESS[s])
    if status == shipment.status:
        return
    shipment.status = status
    fields = ["status", "updated_at"]
    if status == ShipmentStatus.DELIVERED:
        shipment.delivered_at = at
        fields.append("delivered_at")
    shipment.save(update_fields=fields)


@dataclass(frozen=True)
class PollResult:
    polled: int
    recorded: int
    failed: int


def poll_tracking(*, limit: int) -> PollResult:
    """Ask the carriers for the parcels not yet delivered, least recently asked first, ``limit`` at
    most. A carrier error on one parcel is logged and the others go on."""
    candidates = list(
        Parcel.objects.filter(label_status=LabelStatus.READY)
        .exclude(tracking_number="")
        .filter(
            shipment__status__in=[ShipmentStatus.LABELLED, *NOT_DELIVERED],
        )
        .exclude(status=ShipmentStatus.DELIVERED)
        .select_related("shipment")
        .order_by(F("tracked_at").asc(nulls_first=True), "id")[:limit]
    )
    polled = recorded = failed = 0
    for parcel in candidates:
        try:
            carrier = get_carrier(parcel.shipment.carrier)
            if not carrier.has_api:
                continue
            polled += 1
            updates = carrier.track(parcel.tracking_number)
            recorded += record_tracking(parcel=parcel, updates=updates, source=TrackingSource.POLL).recorded
        except Exception:  # one parcel's trouble (carrier down, odd answer) never stops the others
            failed += 1
            logger.warning("tracking poll of parcel %s failed", parcel.pk, exc_info=True)
        finally:
            Parcel.objects.filter(pk=parcel.pk).update(tracked_at=timezone.now())
    return PollResult(polled=polled, recorded=recorded, failed=failed)


@dataclass(frozen=True)
class WebhookResult:
    recorded: int  # new events stored
    ignored: int  # events of tracking numbers that are not this shipment's


def record_webhook(*, shipment_id: int, body: bytes, headers: Mapping[str, str]) -> WebhookResult:
    """A carrier pushed tracking events for a shipment: checked with the carrier's signature
    (``parse_webhook``), then recorded as ``record_tracking`` does, all or nothing. A bad signature or
    body raises ``InvalidWebhookSignature`` and nothing is written; a replay records nothing new."""
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None:
        raise ShipmentNotFound(detail={"shipment": shipment_id})
    try:
        updates = get_carrier(shipment.carrier).parse_webhook(body, headers)
    except (InvalidCarrierWebhook, CarrierError, ValueError, KeyError, TypeError) as error:
        logger.warning("carrier webhook for shipment %s refused: %s", shipment_id, error)
        raise InvalidWebhookSignature(detail={"shipment": shipment_id}) from error
    by_number: dict[str, list[TrackingUpdate]] = {}
    for update in updates:
        by_number.setdefault(update.tracking_number, []).append(update)
    recorded = ignored = 0
    with transaction.atomic():
        parcels = {
            p.tracking_number: p for p in Parcel.objects.filter(shipment=shipment).exclude(tracking_number="")
        }
        for number, events in by_number.items():
            parcel = parcels.get(number)
            if parcel is None:
                ignored += len(events)
                continue
            recorded += record_tracking(parcel=parcel, updates=events, source=TrackingSource.WEBHOOK).recorded
    return WebhookResult(recorded=recorded, ignored=ignored)


def shipment_label_pdf(*, shipment: Shipment) -> bytes:
    """The labels of every parcel of the shipment in one PDF (merged when there are several);
    ``LabelsNotReady`` while any is pending or failed."""
    ready, waiting = shipment_labels(shipment)
    if waiting or not ready:
        raise LabelsNotReady(
            f"Shipment {shipment.number}: {len(ready)} of {len(ready) + len(waiting)} labels are ready.",
            detail={
                "shipment": shipment.number,
                "pending": [p.pk for p in waiting if p.label_status != LabelStatus.FAILED],
                "failed": [
                    {"parcel": p.pk, "error": p.label_error}
                    for p in waiting
                    if p.label_status == LabelStatus.FAILED
                ],
            },
        )
    pdfs = []
    for parcel in ready:
        with parcel.label_pdf.open("rb") as handle:
            pdfs.append(handle.read())
    if len(pdfs) == 1:
        return pdfs[0]
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
