"""Business counters for Prometheus (``core.metrics``), moved by the orders' events after commit.

A rolled-back sale counts nothing (``AFTER_COMMIT``); a counter is per process and only ever grows,
Prometheus' ``increase()`` reads it. Subscribed in ``ReportingConfig.ready()``.
"""

from __future__ import annotations

from core import events, metrics
from orders import events as order_events


def on_order_paid(event: order_events.OrderPaid) -> None:
    metrics.ORDERS_PAID.labels(event.channel).inc()


def on_store_sale(event: order_events.StoreSaleCompleted) -> None:
    metrics.TILL_SALES.inc()


def on_order_refunded(event: order_events.OrderRefunded) -> None:
    metrics.REFUNDS.labels("full").inc()


def on_part_refunded(event: order_events.OrderPartRefunded) -> None:
    metrics.REFUNDS.labels("part").inc()


def on_store_sale_returned(event: order_events.StoreSaleReturned) -> None:
    metrics.TILL_RETURNS.inc()  # a refund or an exchange: the till knows which


def subscribe() -> None:
    events.subscribe(order_events.OrderPaid, on_order_paid)
    events.subscribe(order_events.StoreSaleCompleted, on_store_sale)
    events.subscribe(order_events.OrderRefunded, on_order_refunded)
    events.subscribe(order_events.OrderPartRefunded, on_part_refunded)
    events.subscribe(order_events.StoreSaleReturned, on_store_sale_returned)
