"""Outgoing webhooks: queue a delivery with its outbox message, send it, back off, give up, replay.

- ``queue_event`` runs inside the caller's transaction (the subscribers call it): one
  ``WebhookDelivery`` per active endpoint subscribed to the event and one ``core.outbox`` message per
  delivery, so a rollback leaves neither and nothing is ever sent from inside a transaction.
- ``send_delivery`` (the task) claims the delivery in a short transaction (a lease on
  ``next_attempt_at``), POSTs outside any transaction, then records the answer in another.
- A failed attempt waits ``WEBHOOK_RETRY_BASE_SECONDS`` doubling up to ``WEBHOOK_RETRY_MAX_SECONDS``;
  ``send_due_deliveries`` (beat) sends what is due. After ``WEBHOOK_RETRY_HOURS`` the delivery is
  failed. ``WEBHOOK_DISABLE_AFTER_FAILURES`` failed attempts in a row disable the endpoint and
  e-mail staff (after commit).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import outbox

from . import signing
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEventName

logger = logging.getLogger(__name__)

SEND_TASK = "integrations.webhooks.tasks.send_webhook"
BODY_EXCERPT = 500
CLAIM_SECONDS = 60.0  # a claimed delivery is due again after this (plus the timeout) if its worker died
USER_AGENT = "Omni-Webhooks/1"


@dataclass(frozen=True)
class AttemptResult:
    delivery_id: int
    status: str
    response_code: int | None
    error: str


# --- queueing -------------------------------------------------------------------------------------


def endpoints_for(event: str) -> list[WebhookEndpoint]:
    """The active endpoints subscribed to ``event`` (the table is small: filtered here, any database)."""
    return [e for e in WebhookEndpoint.objects.filter(is_active=True) if event in (e.events or [])]


def queue_event(*, event: str, payload: dict[str, Any], coalesce_key: str = "") -> list[WebhookDelivery]:
    """Owe ``event`` with ``payload`` to every subscribed endpoint; must run inside a transaction.

    With ``coalesce_key``, an endpoint that already has a pending delivery with that key not tried
    yet gets nothing new: that one is sent with the latest figures (``stock.changed``)."""
    if event not in WebhookEventName.values:
        raise ValueError(f"Unknown webhook event {event!r}.")
    created = []
    now = timezone.now()
    for endpoint in endpoints_for(event):
        if (
            coalesce_key
            and WebhookDelivery.objects.filter(
                endpoint=endpoint,
                event=event,
                coalesce_key=coalesce_key,
                status=DeliveryStatus.PENDING,
                attempts=0,
            ).exists()
        ):
            continue
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            payload=payload,
            coalesce_key=coalesce_key,
            next_attempt_at=now,
            created_at=now,
        )
        outbox.enqueue(SEND_TASK, delivery_id=delivery.pk)
        created.append(delivery)
    return created


def envelope(delivery: WebhookDelivery) -> dict[str, Any]:
    """What the receiver gets: the delivery's id (the same on every retry), the event, its data."""
    return {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }


def encode_body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(envelope(delivery), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# --- sending --------------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    """The wait after the ``attempts``-th failed attempt: base, 2 x base, 4 x base ... up to the max."""
    base = float(settings.WEBHOOK_RETRY_BASE_SECONDS)
    return float(min(base * 2 ** max(attempts - 1, 0), float(settings.WEBHOOK_RETRY_MAX_SECONDS)))


def _claim(*, delivery_id: int, now: dt.datetime, force: bool) -> WebhookDelivery | None:
    with transaction.atomic():
        query = WebhookDelivery.objects.select_for_update(skip_locked=True).select_related("endpoint")
        query = query.filter(pk=delivery_id, status=DeliveryStatus.PENDING, endpoint__is_active=True)
        if not force:
            query = query.filter(next_attempt_at__lte=now)
        delivery = query.first()
        if delivery is None:
            return None
        lease = now + dt.timedelta(seconds=CLAIM_SECONDS + float(settings.WEBHOOK_TIMEOUT_SECONDS))
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=lease)
        if delivery.event == WebhookEventName.STOCK_CHANGED:
            delivery.payload = _fresh_stock_payload(delivery.payload)
            WebhookDelivery.objects.filter(pk=delivery.pk).update(payload=delivery.payload)
        return delivery


def _fresh_stock_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A coalesced stock delivery carries the level as it is when sent, not when first queued."""
    from inventory import selectors

    rows = list(selectors.stock_levels(skus=[payload["sku"]], location_codes=[payload["location"]]))
    if not rows:
        return payload
    row = rows[0]
    return {**payload, "on_hand": row["on_hand"], "reserved": row["reserved"], "available": row["available"]}


def send_delivery(
    *, delivery_id: int, now: dt.datetime | None = None, force: bool = False
) -> AttemptResult | None:
    """One attempt: claim, POST (outside any transaction), record. None when it is not due, not
    pending, its endpoint is disabled, or another worker holds it."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("send_delivery() talks to the network: call it outside any transaction.")
    now = now or timezone.now()
    delivery = _claim(delivery_id=delivery_id, now=now, force=force)
    if delivery is None:
        return None
    body = encode_body(delivery)
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.EVENT_HEADER: delivery.event,
        signing.DELIVERY_HEADER: str(delivery.uuid),
        signing.TIMESTAMP_HEADER: timestamp,
        signing.SIGNATURE_HEADER: signing.signature_header(delivery.endpoint.secret, timestamp, body),
    }
    code: int | None = None
    excerpt = ""
    error = ""
    try:
        response = requests.post(
            delivery.endpoint.url,
            data=body,
            headers=headers,
            timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS),
            allow_redirects=False,
        )
        code = response.status_code
        excerpt = response.text[:BODY_EXCERPT]
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    return _record_attempt(delivery_id=delivery.pk, now=now, code=code, excerpt=excerpt, error=error)


@transaction.atomic
def _record_attempt(
    *, delivery_id: int, now: dt.datetime, code: int | None, excerpt: str, error: str
) -> AttemptResult:
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_response_code = code
    delivery.last_response_body = excerpt
    delivery.last_error = error
    endpoint_id = delivery.endpoint_id
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=0)
    else:
        give_up_at = delivery.created_at + dt.timedelta(hours=float(settings.WEBHOOK_RETRY_HOURS))
        next_at = now + dt.timedelta(seconds=backoff_seconds(delivery.attempts))
        if next_at > give_up_at:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = next_at
        _count_failure(endpoint_id=endpoint_id, now=now, error=error)
    delivery.save()
    return AttemptResult(delivery.pk, delivery.status, code, error)


def _count_failure(*, endpoint_id: int, now: dt.datetime, error: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    limit = int(settings.WEBHOOK_DISABLE_AFTER_FAILURES)
    if endpoint.is_active and endpoint.consecutive_failures >= limit:
        endpoint.is_active = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = _("%(count)d failed attempts in a row; the last: %(error)s") % {
            "count": endpoint.consecutive_failures,
            "error": error,
        }
        endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
        endpoint_pk = endpoint.pk
        transaction.on_commit(lambda: notify_disabled(endpoint_id=endpoint_pk), robust=True)


def alert_recipients() -> list[str]:
    configured = list(settings.WEBHOOK_ALERT_EMAILS)
    if configured:
        return configured
    admins = [entry[1] if isinstance(entry, tuple | list) else str(entry) for entry in settings.ADMINS]
    from accounts.models import Role, User

    groups = Group.objects.filter(name__in=[Role.STAFF, Role.MANAGER])
    staff = User.objects.filter(is_active=True, groups__in=groups).values_list("email", flat=True)
    return sorted({*admins, *staff})


def notify_disabled(*, endpoint_id: int) -> int:
    """E-mail staff that an endpoint was disabled (after the commit that disabled it)."""
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    recipients = alert_recipients()
    if not recipients:
        logger.warning("Webhook endpoint %s disabled and nobody to tell.", endpoint.pk)
        return 0
    subject = _("Webhook endpoint disabled: %(name)s") % {"name": endpoint.name}
    body = _(
        "The webhook endpoint %(name)s (%(url)s) was disabled at %(when)s: %(reason)s\n\n"
        "Its pending deliveries wait. Fix the receiver, then re-enable the endpoint in the admin "
        "(Integrations > Webhook endpoints) and replay the failed deliveries."
    ) % {
        "name": endpoint.name,
        "url": endpoint.url,
        "when": endpoint.disabled_at.isoformat() if endpoint.disabled_at else "",
        "reason": endpoint.disabled_reason,
    }
    return send_mail(subject, body, None, recipients)


def due_delivery_ids(*, now: dt.datetime | None = None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def send_due_deliveries(*, now: dt.datetime | None = None, limit: int = 200) -> list[AttemptResult]:
    """Beat: one attempt for each due delivery (first attempts whose message was lost, and retries)."""
    results = []
    for delivery_id in due_delivery_ids(now=now, limit=limit):
        result = send_delivery(delivery_id=delivery_id, now=now)
        if result is not None:
            results.append(result)
    return results


# --- staff actions --------------------------------------------------------------------------------


@transaction.atomic
def replay_deliveries(*, delivery_ids: Iterable[int]) -> list[WebhookDelivery]:
    """Send these deliveries again as new deliveries (same event and payload, ``replay_of`` the
    original; the log keeps both), each with its outbox message. The endpoint must be active."""
    now = timezone.now()
    replays = []
    originals = WebhookDelivery.objects.filter(pk__in=list(delivery_ids)).order_by("pk")
    for original in originals:
        replay = WebhookDelivery.objects.create(
            endpoint_id=original.endpoint_id,
            event=original.event,
            payload=original.payload,
            replay_of=original,
            next_attempt_at=now,
            created_at=now,
        )
        outbox.enqueue(SEND_TASK, delivery_id=replay.pk)
        replays.append(replay)
    return replays


@transaction.atomic
def enable_endpoints(*, endpoint_ids: Iterable[int]) -> int:
    """Re-enable endpoints: failures count from zero again; their waiting deliveries go at the next sweep."""
    return WebhookEndpoint.objects.filter(pk__in=list(endpoint_ids)).update(
        is_active=True, disabled_at=None, disabled_reason="", consecutive_failures=0
    )
