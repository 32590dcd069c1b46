"""The orders side of payments: what a payment's outcome does to its order.

Payments reports outcomes through ``payments.ports.PayableOrders``; this module implements it and
``orders.apps`` registers it. Every method runs inside the payments service's transaction, which
locks the order's row (``lock``) before the payment's.
"""

from __future__ import annotations

from django.db import transaction

from core.errors import ApplicationError
from payments.ports import PayableOrder

from ..models import Order, OrderStatus
from .placing import transition_order


def _payable(order: Order) -> PayableOrder:
    return PayableOrder(
        order_id=order.pk,
        number=order.number,
        status=order.status,
        status_label=str(order.get_status_display()).lower(),
        awaiting_payment=order.status == OrderStatus.PENDING_PAYMENT,
        cancelled=order.status == OrderStatus.CANCELLED,
        total_gross=order.total_gross,
        currency=order.currency,
        total_gross_eur=order.total_gross_eur,
    )


class OrderPayments:
    """``payments.ports.PayableOrders`` for the orders of every channel."""

    def lock(self, order_id: int) -> PayableOrder:
        return _payable(Order.objects.select_for_update().get(pk=order_id))

    def describe(self, order_id: int) -> PayableOrder:
        return _payable(Order.objects.get(pk=order_id))

    def payment_captured(self, *, order_id: int, payment_id: str, provider: str) -> str:
        order = Order.objects.get(pk=order_id)
        try:
            with transaction.atomic():
                transition_order(
                    order=order, to_status=OrderStatus.PAID, note=f"paid by {provider} ({payment_id})"
                )
        except ApplicationError as exc:
            order.refresh_from_db()
            if order.status == OrderStatus.PENDING_PAYMENT:
                transition_order(
                    order=order,
                    to_status=OrderStatus.CANCELLED,
                    note=f"payment {payment_id} arrived but the order could not be paid: refunded",
                )
            return str(exc.message) or "the order could not be paid"
        return ""

    def payment_failed(self, *, order_id: int, payment_id: str, provider: str, status: str) -> None:
        """The order stays awaiting payment with its reservations: the shopper may try again, with
        the same or another method (``checkout.retry_payment``), until the reservation expires; then
        ``abandoned.cancel_abandoned_orders`` cancels it and releases the stock."""
        return None
