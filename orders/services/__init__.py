"""Order services, one module per concern: ``placing`` (orders and their status machine), and the
cart, checkout and pickup modules. Import from here: ``from orders import services``."""

from ..errors import EmptyOrder, InvalidTransition
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
    "place_web_order",
    "transition_order",
]
