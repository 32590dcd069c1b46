"""Reads other apps need about payments, without reaching into the payment tables themselves."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from .models import Payment, PaymentStatus

# A payment that may still bring (or has brought) money: the shopper is at the provider (pending),
# the provider holds the money (authorised), or it was taken (captured).
LIVE_STATUSES = (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED)


def live_payment_exists(order_ref: OuterRef | None = None) -> Exists:
    """``Exists(...)`` for an order queryset: the order (``OuterRef("pk")`` by default) has a live payment."""
    return Exists(Payment.objects.filter(order_id=order_ref or OuterRef("pk"), status__in=LIVE_STATUSES))


def payment_statuses(*, order_id: int) -> set[str]:
    """The statuses of every payment attempt of the order (empty: payment never started)."""
    return set(Payment.objects.filter(order_id=order_id).values_list("status", flat=True))
