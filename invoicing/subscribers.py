"""What invoicing does when orders report a change: note the order as owed to the daily run.

Subscribed in ``InvoicingConfig.ready()``, IN_TRANSACTION (``core.events``): the queue entry
(``InvoiceQueueEntry``) commits or rolls back with the order's change, so the run never misses a
committed sale, refund or return and never sees a rolled-back one. The run, not the subscriber,
decides what the order owes (an invoice, a credit note, nothing for an anonymous till sale): the
subscriber is one INSERT and never reads.
"""

from __future__ import annotations

from core import events, outbox
from orders import events as order_events

from .models import InvoiceQueueEntry

# Every event after which an order may owe an invoice or a credit note.
QUEUED_EVENTS: tuple[type[events.Event], ...] = (
    order_events.OrderPaid,  # a web order becomes invoiceable (INVOICE_WEB_ORDERS_WHEN="paid")
    order_events.OrderDelivered,  # ... or once it arrived (INVOICE_WEB_ORDERS_WHEN="delivered")
    order_events.OrderCollected,  # ... or was collected at the store
    order_events.StoreSaleCompleted,  # a till sale (invoiced when a customer was identified)
    order_events.StoreSaleReturned,  # goods back at a till: credit
    order_events.OrderPartRefunded,  # a cancel or refund action that gave money back: credit
    order_events.OrderCancelled,  # the whole order: credit what is left
    order_events.OrderRefunded,
)


def queue_order(event: events.Event) -> None:
    """One pending entry for the order the event is about."""
    order_id: int = event.order_id  # type: ignore[attr-defined]  # every QUEUED_EVENTS type has it
    InvoiceQueueEntry.objects.create(order_id=order_id, event=event.name)


def queue_quote_pdf(event: order_events.QuoteSent) -> None:
    """A quote was sent: its PDF is rendered and e-mailed by a Celery task, through the outbox (the
    message commits with the quote; the render runs after commit, outside the request)."""
    from . import tasks

    outbox.enqueue(tasks.render_quote_pdf, quote_id=event.quote_id)


def subscribe() -> None:
    for event_type in QUEUED_EVENTS:
        events.subscribe(event_type, queue_order, phase=events.IN_TRANSACTION)
    events.subscribe(order_events.QuoteSent, queue_quote_pdf, phase=events.IN_TRANSACTION)
