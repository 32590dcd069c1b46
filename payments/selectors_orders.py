"""Reads of an order's payments and refunds for the staff order screen (``logistics.views_orders``)."""

from __future__ import annotations

from django.db.models import Prefetch

from .models import Payment, Refund


def payments_of_order(*, order_id: int) -> list[Payment]:
    """Every payment attempt of the order, oldest first, each with its refunds (``refunds.all()``,
    oldest first, with ``created_by``): two queries whatever their number."""
    return list(
        Payment.objects.filter(order_id=order_id)
        .prefetch_related(
            Prefetch(
                "refunds", queryset=Refund.objects.select_related("created_by").order_by("created_at", "pk")
            )
        )
        .order_by("created_at", "pk")
    )
