"""Order services, one module per concern: ``placing`` (orders and their status machine), and the
cart, checkout and pickup modules. Import from here: ``from orders import services``."""

from ..errors import EmptyOrder, InvalidTransition
from .after_sales import (
    LineQuantity,
    cancel_order,
    line_refund_amount,
    record_returned_lines,
    refund_order_part,
    resend_notification,
)
from .placing import (
    ALLOWED_TRANSITIONS,
    LineInput,
    place_web_order,
    transition_order,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "EmptyOrder",
    "InvalidTransition",
    "LineInput",
    "LineQuantity",
    "cancel_order",
    "line_refund_amount",
    "record_returned_lines",
    "refund_order_part",
    "resend_notification",
    "place_web_order",
    "transition_order",
]
