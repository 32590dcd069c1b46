"""What reporting does when orders report a change: the order's facts are refreshed after commit.

Subscribed in ``ReportingConfig.ready()``, IN_TRANSACTION, each handler only owes a Celery task to
the transaction (``core.outbox``): the task runs after the commit (never on a rollback, retried by
the relay if the broker is down), so a sale's transaction gains one insert, not the reporting work.
The task refreshes the order's facts from the committed orders: idempotent, seen twice is harmless.
"""

from __future__ import annotations

from typing import Any

from core import events, outbox
from orders import events as order_events

from . import tasks

ORDER_EVENTS: tuple[type[Any], ...] = (
    order_events.OrderPaid,
    order_events.StoreSaleCompleted,
    order_events.OrderCancelled,
    order_events.OrderRefunded,
    order_events.StoreSaleReturned,
    order_events.OrderLinesCancelled,
    order_events.OrderLinesReturned,
    order_events.OrderPartRefunded,
    order_events.OrderCollected,  # the pick-up delay (``PickupFact``)
)


def on_order_event(event: Any) -> None:
    outbox.enqueue(tasks.refresh_order_facts, order_ids=[event.order_id])


def on_guest_orders_attached(event: order_events.GuestOrdersAttached) -> None:
    """The orders now have a customer: their customer facts (new / returning) change."""
    outbox.enqueue(tasks.refresh_order_facts, order_ids=list(event.order_ids))


def on_orders_archived(event: order_events.OrdersArchived) -> None:
    outbox.enqueue(tasks.refresh_order_range, first_id=event.first_id, last_id=event.last_id)


def subscribe() -> None:
    for event_type in ORDER_EVENTS:
        events.subscribe(event_type, on_order_event, phase=events.IN_TRANSACTION)
    events.subscribe(order_events.OrdersArchived, on_orders_archived, phase=events.IN_TRANSACTION)
    events.subscribe(order_events.GuestOrdersAttached, on_guest_orders_attached, phase=events.IN_TRANSACTION)
