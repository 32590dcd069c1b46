"""What loyalty does when orders report a change: points credited or taken back, and the points of a
loyalty voucher given back when the order that used it is cancelled or refunded in full.

Subscribed in ``LoyaltyConfig.ready()``, IN_TRANSACTION (``core.events``): the points commit or roll
back with the order's change. Each handler calls one service; the services are idempotent by
``source_key``, so an event seen twice credits once.
"""

from __future__ import annotations

from core import events
from orders import events as order_events
from orders.models import Order

from . import services

EARN_EVENTS: tuple[type[order_events.OrderEvent], ...] = (
    order_events.OrderPaid,
    order_events.OrderDelivered,
    order_events.OrderCollected,
    order_events.StoreSaleCompleted,
)
WHOLE_ORDER_EVENTS: tuple[type[order_events.OrderEvent], ...] = (
    order_events.OrderCancelled,
    order_events.OrderRefunded,
)


def on_earn_event(event: order_events.OrderEvent) -> None:
    if isinstance(event, order_events.StoreSaleCompleted) and event.customer_id is None:
        return  # an anonymous till sale earns nothing: the event says so, no need to read the order
    order = Order.objects.only("channel", "customer_id").get(pk=event.order_id)
    if order.customer_id is not None and services.earn_moment_reached(order=order, event_name=event.name):
        services.earn_for_order(order_id=event.order_id)


def on_whole_order_event(event: order_events.OrderEvent) -> None:
    services.reverse_for_order(order_id=event.order_id, event_name=event.name)
    services.give_back_voucher_points(order_id=event.order_id)


def on_store_return(event: order_events.StoreSaleReturned) -> None:
    services.reverse_for_return(return_id=event.return_id)


def on_part_refund(event: order_events.OrderPartRefunded) -> None:
    services.reverse_for_refund(action_id=event.action_id)


def subscribe() -> None:
    for event_type in EARN_EVENTS:
        events.subscribe(event_type, on_earn_event, phase=events.IN_TRANSACTION)
    for event_type in WHOLE_ORDER_EVENTS:
        events.subscribe(event_type, on_whole_order_event, phase=events.IN_TRANSACTION)
    events.subscribe(order_events.StoreSaleReturned, on_store_return, phase=events.IN_TRANSACTION)
    events.subscribe(order_events.OrderPartRefunded, on_part_refund, phase=events.IN_TRANSACTION)
