"""What each order status change does, declared in one table.

``transition_order`` checks the move against ``ALLOWED_TRANSITIONS`` and then applies the row of
``STATUS_EFFECTS`` for (new status, delivery method): the stock effect on the order's reservations,
the customer's e-mails and text messages (sent once each, after commit), the refund (after commit,
in a task) and the event the apps above orders subscribe to (``orders.events``). A new effect is
a new column or row here, and new work for another app is a subscriber to the event, never a new
branch in ``transition_order``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..events import (
    OrderCancelled,
    OrderCollected,
    OrderDelivered,
    OrderEvent,
    OrderPaid,
    OrderReadyForPickup,
    OrderRefunded,
    OrderShipped,
)
from ..models import DeliveryMethod, OrderStatus
from ..notification_log import NotificationKind

ANY_METHOD = "*"


class StockEffect(enum.Enum):
    NONE = "none"
    HOLD = "hold"  # keep the reservations, extended to the pickup deadline
    COMMIT = "commit"  # the reserved units are sold
    RELEASE = "release"  # the reservations still active go back to the shelf


@dataclass(frozen=True)
class Effects:
    stock: StockEffect = StockEffect.NONE
    emails: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    event: type[OrderEvent] | None = None
    # Only when the order had been paid (cancelling a paid order): the money goes back.
    refund_if_paid: bool = False
    emails_if_paid: tuple[str, ...] = ()


_PAID_HOME = Effects(StockEffect.COMMIT, emails=(NotificationKind.CONFIRMATION,), event=OrderPaid)

STATUS_EFFECTS: dict[tuple[str, str], Effects] = {
    (OrderStatus.PAID, DeliveryMethod.HOME): _PAID_HOME,
    (OrderStatus.PAID, DeliveryMethod.IN_STORE): _PAID_HOME,
    (OrderStatus.PAID, DeliveryMethod.CLICK_AND_COLLECT): Effects(
        StockEffect.HOLD, emails=(NotificationKind.CONFIRMATION,), event=OrderPaid
    ),
    (OrderStatus.READY_FOR_PICKUP, DeliveryMethod.CLICK_AND_COLLECT): Effects(
        StockEffect.HOLD,
        emails=(NotificationKind.READY_FOR_PICKUP,),
        texts=(NotificationKind.READY_FOR_PICKUP,),
        event=OrderReadyForPickup,
    ),
    # The shipped e-mail lists the parcels and their tracking links (orders.fulfilment port); the
    # text goes only to an order with a phone (orders.notifications.send_order_sms).
    (OrderStatus.SHIPPED, DeliveryMethod.HOME): Effects(
        emails=(NotificationKind.SHIPPED,), texts=(NotificationKind.SHIPPED,), event=OrderShipped
    ),
    (OrderStatus.COMPLETED, DeliveryMethod.HOME): Effects(
        emails=(NotificationKind.DELIVERED,), texts=(NotificationKind.DELIVERED,), event=OrderDelivered
    ),
    (OrderStatus.COMPLETED, DeliveryMethod.CLICK_AND_COLLECT): Effects(
        StockEffect.COMMIT, event=OrderCollected
    ),
    (OrderStatus.COMPLETED, DeliveryMethod.IN_STORE): Effects(),
    # The till sale commits the units it sells and releases the others, in its own transaction.
    (OrderStatus.BOUGHT_IN_STORE, DeliveryMethod.RESERVE_IN_STORE): Effects(),
    (OrderStatus.CANCELLED, ANY_METHOD): Effects(
        StockEffect.RELEASE,
        event=OrderCancelled,
        refund_if_paid=True,
        emails_if_paid=(NotificationKind.CANCELLATION,),
    ),
    (OrderStatus.REFUNDED, ANY_METHOD): Effects(StockEffect.RELEASE, event=OrderRefunded),
}


def effects_for(*, to_status: str, delivery_method: str) -> Effects:
    """The effects of moving an order of ``delivery_method`` to ``to_status`` (none if not listed)."""
    return STATUS_EFFECTS.get(
        (to_status, delivery_method), STATUS_EFFECTS.get((to_status, ANY_METHOD), Effects())
    )
