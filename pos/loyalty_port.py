"""What a till receipt prints about the customer's points, without pos importing loyalty.

Pos sits below loyalty (docs/architecture.md, "Ports"): the points a sale earned are loyalty's
(credited on ``store_sale.completed``, in the sale's transaction), but the receipt is pos's. Loyalty
implements ``ReceiptPoints`` and registers it in its ``AppConfig.ready()`` with
``register_receipt_points``. Without one (loyalty not installed, or tests of pos alone)
``receipt_points()`` answers None for every sale and the receipt prints no points.

A port rather than a template tag of loyalty's: the receipt page and the receipt e-mail share
``pos.selectors.receipt_context``, which stays testable and renders without loyalty, and the
question pos asks is typed here, next to the code that asks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SalePoints:
    earned: int  # points this sale credited (0: none, e.g. below a euro)
    balance: int  # the customer's balance now
    tier: str = ""  # the tier's name, if any


class ReceiptPoints(Protocol):
    def for_sale(self, *, order_id: int, customer_id: int) -> SalePoints | None:
        """The points of a store sale made for ``customer_id``; None: nothing to print."""
        ...


_implementation: ReceiptPoints | None = None


def register_receipt_points(implementation: ReceiptPoints | None) -> None:
    global _implementation
    _implementation = implementation


def receipt_points(*, order_id: int, customer_id: int | None) -> SalePoints | None:
    """What loyalty says about the sale's points, or None (anonymous sale, no loyalty app)."""
    if customer_id is None or _implementation is None:
        return None
    return _implementation.for_sale(order_id=order_id, customer_id=customer_id)
