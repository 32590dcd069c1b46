"""Web orders abandoned before any payment went through are cancelled, and their stock released.

An order is placed (stock reserved) in one transaction and its payment opened in the next
(``checkout.checkout``). A crash, a provider that could not be reached, or a shopper who closed the
tab in between leaves a web order ``pending_payment`` with no payment in progress: nothing would
ever move it. ``cancel_abandoned_orders`` (Celery beat every ``ABANDONED_ORDERS_SWEEP_SECONDS``, or
``manage.py cancel_abandoned_orders``) cancels, through ``transition_order`` (which releases any
reservation still active and writes the status trail), each web order that:

- is ``pending_payment``, placed more than ``CHECKOUT_RESERVATION_TTL_SECONDS`` +
  ``CHECKOUT_ABANDON_GRACE_SECONDS`` ago;
- holds no reservation still active and unexpired (the checkout's hold has run out);
- has no live payment (``payments.selectors.LIVE_STATUSES``): none pending or authorised at the
  provider (the shopper may be paying right now: its webhook or return settles it) and none captured.

Races: each order is re-checked in its own transaction after its row is locked, the lock every
payment path takes first (``payments.ports.PayableOrders.lock``). A payment started at the same
moment either committed first (it is pending: the order is left alone) or waits and then finds the
order cancelled (``OrderNotPayable``). A success that arrives after the cancellation, for an attempt
that had failed, is refunded by payments (``payment_captured`` refuses a cancelled order).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from core.errors import ApplicationError
from payments import selectors as payment_selectors

from ..models import Channel, Order, OrderLine, OrderStatus
from .placing import transition_order

logger = logging.getLogger(__name__)

NEVER_STARTED = "abandoned: payment never started"
NEVER_SUCCEEDED = "abandoned: no payment attempt succeeded"


def abandoned_before(now: dt.datetime) -> dt.datetime:
    """Orders placed before this instant, still awaiting payment, may be abandoned."""
    return now - dt.timedelta(
        seconds=settings.CHECKOUT_RESERVATION_TTL_SECONDS + settings.CHECKOUT_ABANDON_GRACE_SECONDS
    )


def _abandoned(now: dt.datetime) -> QuerySet[Order]:
    held = OrderLine.objects.filter(
        order=OuterRef("pk"), reservation__status="active", reservation__expires_at__gt=now
    )
    return Order.objects.filter(
        ~Exists(held),
        ~payment_selectors.live_payment_exists(),
        channel=Channel.WEB,
        status=OrderStatus.PENDING_PAYMENT,
        created_at__lte=abandoned_before(now),
    )


def cancel_abandoned_orders(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Cancel the abandoned web orders (see the module), oldest first, each in its own transaction.
    Returns how many were cancelled; running it again cancels nothing more."""
    now = now or timezone.now()
    ids = list(_abandoned(now).order_by("created_at").values_list("pk", flat=True)[:limit])
    cancelled = 0
    for order_id in ids:
        try:
            if cancel_abandoned_order(order_id=order_id, now=now):
                cancelled += 1
        except ApplicationError as exc:  # a reservation changed under us: the next run retries
            logger.warning("abandoned order %s not cancelled: %s", order_id, exc)
    if cancelled:
        logger.info("cancelled %d abandoned web orders", cancelled)
    return cancelled


@transaction.atomic
def cancel_abandoned_order(*, order_id: int, now: dt.datetime | None = None) -> bool:
    """Lock the order, check again that it is abandoned, cancel it. False if it no longer is."""
    now = now or timezone.now()
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None or not _abandoned(now).filter(pk=order_id).exists():
        return False  # paid, cancelled, or a payment started meanwhile
    attempts = payment_selectors.payment_statuses(order_id=order_id)
    transition_order(
        order=order, to_status=OrderStatus.CANCELLED, note=NEVER_SUCCEEDED if attempts else NEVER_STARTED
    )
    return True
