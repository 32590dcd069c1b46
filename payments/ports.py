"""What payments needs from the orders it takes money for, without importing orders.

Payments sits below orders (docs/architecture.md): it records payments and refunds and talks to the
providers, and it reports *outcomes*; the orders app *applies* them. The orders app implements
``PayableOrders`` and registers it in its ``AppConfig.ready()`` with ``register_payable_orders``.
Payments calls it inside its own transactions, in the one lock order every path uses: the order's
row first (``lock``), then the payment's.

A payment row keeps a foreign key to its order (``Payment.order``, a lazy ``"orders.Order"``
reference: the database links them, the Python modules do not import each other).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol


class OrderRef(Protocol):
    """An order as the caller holds it (the orders app's model instance): payments reads only these."""

    pk: Any
    status: str


@dataclass(frozen=True)
class PayableOrder:
    """What payments needs to know of an order to take or refuse a payment."""

    order_id: int
    number: str
    status: str
    status_label: str  # as the shopper reads it: "cancelled", "paid" ...
    awaiting_payment: bool
    cancelled: bool
    total_gross: Decimal
    currency: str
    total_gross_eur: Decimal


class PayableOrders(Protocol):
    def lock(self, order_id: int) -> PayableOrder:
        """Lock the order's row until the transaction ends and say how it stands."""
        ...

    def describe(self, order_id: int) -> PayableOrder:
        """How the order stands now (no lock: for pages)."""
        ...

    def payment_captured(self, *, order_id: int, payment_id: str, provider: str) -> str:
        """Apply a captured payment. Returns "" when the order took it, else why it could not (the
        order, if still awaiting payment, has then been cancelled; the money is refunded)."""
        ...

    def payment_failed(self, *, order_id: int, payment_id: str, provider: str, status: str) -> None:
        """A payment failed or was cancelled. The order is left awaiting payment (the shopper may try
        again until its reservation expires): an outcome to note, not a reason to cancel."""
        ...


_payable_orders: PayableOrders | None = None


def register_payable_orders(implementation: PayableOrders) -> None:
    global _payable_orders
    _payable_orders = implementation


def payable_orders() -> PayableOrders:
    if _payable_orders is None:  # a configuration bug: the orders app is not installed or not ready
        raise RuntimeError("No PayableOrders registered: orders.apps.OrdersConfig.ready() registers it.")
    return _payable_orders
