"""What orders tell the apps above them (logistics, loyalty, invoicing, integrations, storefront).

Published by ``orders.services`` inside the transaction that changes the order; subscribers run
after it commits unless they subscribe ``IN_TRANSACTION`` (``core.events``). Each carries ids and
plain values: subscribers load what they need.

| event                    | when                                                             |
|--------------------------|------------------------------------------------------------------|
| order.paid               | a web order's payment was captured                               |
| order.ready_for_pickup   | a click & collect order is waiting at the store                  |
| order.shipped            | a home-delivery order left the warehouse or store                |
| order.delivered          | a home-delivery order reached the customer (completed)           |
| order.collected          | a click & collect order was handed over (completed)              |
| order.cancelled          | an order was cancelled (refunded after commit if it was paid)    |
| order.refunded           | an order was refunded in full                                     |
| store_sale.completed     | a till sale was recorded (``record_store_order``)                |
| store_sale.returned      | goods of a till or web order came back at a till                 |
| order.lines_cancelled    | some (or all) units of an order were cancelled before shipping   |
| order.part_refunded      | money went back for part of an order (cancel or refund action)   |
| e_reservation.placed     | a shopper reserved items at a store to try them                  |
| e_reservation.ended      | a reservation was sold at the till, cancelled, released, expired |
| quote.sent               | staff sent a B2B quote to its buyer (its PDF is owed)            |
"""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class OrderEvent(Event, abstract=True):
    order_id: int
    number: str
    channel: str
    delivery_method: str
    from_status: str
    to_status: str
    user_id: int | None  # who made the change (None: the shopper, a webhook or a task)


@dataclass(frozen=True)
class OrderPaid(OrderEvent):
    name = "order.paid"


@dataclass(frozen=True)
class OrderReadyForPickup(OrderEvent):
    name = "order.ready_for_pickup"


@dataclass(frozen=True)
class OrderShipped(OrderEvent):
    name = "order.shipped"


@dataclass(frozen=True)
class OrderDelivered(OrderEvent):
    name = "order.delivered"


@dataclass(frozen=True)
class OrderCollected(OrderEvent):
    name = "order.collected"


@dataclass(frozen=True)
class OrderCancelled(OrderEvent):
    name = "order.cancelled"


@dataclass(frozen=True)
class OrderRefunded(OrderEvent):
    name = "order.refunded"


@dataclass(frozen=True)
class StoreSaleCompleted(OrderEvent):
    name = "store_sale.completed"
    customer_id: int | None  # the identified customer, None for an anonymous sale (most of them)


@dataclass(frozen=True)
class StoreSaleReturned(Event):
    name = "store_sale.returned"
    order_id: int  # the order the goods were bought in (till or web)
    number: str
    return_id: int  # the till's return document
    location_id: int  # the store that took the goods back
    user_id: int | None


@dataclass(frozen=True)
class OrderLinesCancelled(Event):
    """Units of an order were cancelled before shipping (``orders.services.cancel_order``): a
    fulfilment app drops them from what it still has to pick and pack."""

    name = "order.lines_cancelled"
    order_id: int
    number: str
    lines: tuple[tuple[int, int], ...]  # (OrderLine id, units cancelled now)
    user_id: int | None


@dataclass(frozen=True)
class OrderPartRefunded(Event):
    """Money went back for part of an order (``orders.services.refund_order_part`` or a
    cancellation of paid lines): ``amount`` is TTC, in EUR, as a string ("12.50")."""

    name = "order.part_refunded"
    order_id: int
    number: str
    amount: str
    action_id: int
    user_id: int | None


@dataclass(frozen=True)
class OrderLinesReturned(Event):
    """Units of an order came back (``orders.services.record_returned_lines``: an RMA received, a till
    return); the money, if any, is its own event."""

    name = "order.lines_returned"
    order_id: int
    number: str
    action_id: int
    user_id: int | None


@dataclass(frozen=True)
class OrdersArchived(Event):
    """Past orders were written in bulk (``orders.services.archive``): ids ``first_id`` to ``last_id``.
    No business event follows them (no points, no e-mail); readers of history (reports) catch up."""

    name = "orders.archived"
    first_id: int
    last_id: int
    count: int


@dataclass(frozen=True)
class GuestOrdersAttached(Event):
    """Web orders placed as a guest were attached to the account whose verified e-mail they carry
    (``orders.services.guest_orders.attach_guest_orders``). Loyalty does not subscribe: points earned
    before the attachment are not credited afterwards (see that module)."""

    name = "orders.guest_orders_attached"
    customer_id: int
    order_ids: tuple[int, ...]


@dataclass(frozen=True)
class EReservationPlaced(Event):
    """A shopper reserved items to try at a store (``orders.services.ereservation``): its tills'
    reservation list changed."""

    name = "e_reservation.placed"
    order_id: int
    number: str
    location_id: int


@dataclass(frozen=True)
class EReservationEnded(Event):
    """A reservation left the store's list: sold at the till, cancelled, released or expired."""

    name = "e_reservation.ended"
    order_id: int
    number: str
    location_id: int


@dataclass(frozen=True)
class QuoteSent(Event):
    """Staff sent a B2B quote to its buyer (``orders.services.quotes.send_quote``): invoicing renders
    its PDF (outside the request) and hands it back to ``quotes.store_quote_pdf`` to e-mail."""

    name = "quote.sent"
    quote_id: int
    number: str
