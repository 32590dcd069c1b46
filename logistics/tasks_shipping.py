"""Celery tasks of labels and tracking: thin, each calls one service with ids.

``create_parcel_label`` is queued through the outbox (``core.outbox.enqueue``) by packing
(``services_fulfilment.finish_packing``) and by ``services_shipping.retry_label``; a carrier that is
down is tried again with backoff (the parcel shows "label failed" with the reason meanwhile), a
refusal is not. ``poll_tracking`` is the beat task that asks the carriers where the parcels are.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from . import services_shipping
from .carriers import CarrierError

LABEL_MAX_RETRIES = 6


@shared_task(bind=True, max_retries=LABEL_MAX_RETRIES)
def create_parcel_label(self: Any, *, parcel_id: int) -> str:
    """The parcel's label: its status afterwards (``ready``; ``failed`` once retries are spent)."""
    try:
        parcel = services_shipping.create_label(parcel_id=parcel_id)
    except CarrierError as error:
        if not error.retryable or self.request.retries >= LABEL_MAX_RETRIES:
            return "failed"
        base = int(settings.LABEL_RETRY_BASE_SECONDS)
        raise self.retry(countdown=min(base * 2**self.request.retries, 1800)) from error
    return parcel.label_status


@shared_task
def poll_tracking() -> dict[str, int]:
    """Beat, every ``TRACKING_POLL_MINUTES``: at most ``TRACKING_POLL_BATCH`` parcels asked for."""
    result = services_shipping.poll_tracking(limit=int(settings.TRACKING_POLL_BATCH))
    return {"polled": result.polled, "recorded": result.recorded, "failed": result.failed}
