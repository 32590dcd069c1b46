"""Reads other apps need about payments, without reaching into the payment tables themselves."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef, Sum

from .models import Payment, PaymentStatus, Refund, RefundStatus

# A payment that may still bring (or has brought) money: the shopper is at the provider (pending),
# the provider holds the money (authorised), or it was taken (captured).
LIVE_STATUSES = (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED)


def live_payment_exists(order_ref: OuterRef | None = None) -> Exists:
    """``Exists(...)`` for an order queryset: the order (``OuterRef("pk")`` by default) has a live payment."""
    return Exists(Payment.objects.filter(order_id=order_ref or OuterRef("pk"), status__in=LIVE_STATUSES))


def payment_statuses(*, order_id: int) -> set[str]:
    """The statuses of every payment attempt of the order (empty: payment never started)."""
    return set(Payment.objects.filter(order_id=order_id).values_list("status", flat=True))


def refunded_amounts(*, payment_ids: list) -> dict:
    """{payment id: what its live (pending or succeeded) refunds add up to} (one query)."""
    rows = (
        Refund.objects.filter(payment_id__in=payment_ids)
        .exclude(status=RefundStatus.FAILED)
        .values("payment_id")
        .annotate(total=Sum("amount"))
        .values_list("payment_id", "total")
    )
    found = dict(rows)
    return {pk: found.get(pk, Decimal("0.00")) for pk in payment_ids}


def refundable_amount(*, order_id: int) -> Decimal:
    """What can still be refunded online for the order: captured minus live refunds (two queries).
    A read for pages and checks before asking; ``refund_amount`` checks again under its locks."""
    from decimal import Decimal

    captured = dict(
        Payment.objects.filter(order_id=order_id, status=PaymentStatus.CAPTURED).values_list("pk", "amount")
    )
    refunded = refunded_amounts(payment_ids=list(captured))
    return sum((amount - refunded[pk] for pk, amount in captured.items()), Decimal("0.00"))


def captured_amount(*, order_id: int) -> Decimal:
    """What the order's payments captured (refunded ones included): one query."""
    total = Payment.objects.filter(
        order_id=order_id, status__in=[PaymentStatus.CAPTURED, PaymentStatus.REFUNDED]
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def latest_attempt(*, order_id: int) -> Payment | None:
    """The order's latest payment attempt (one query), for the pages that say how paying went."""
    return Payment.objects.filter(order_id=order_id).order_by("-created_at", "-pk").first()


def has_captured(*, order_id: int) -> bool:
    """Whether money was ever taken for the order (captured, maybe refunded since): one query."""
    return Payment.objects.filter(
        order_id=order_id, status__in=[PaymentStatus.CAPTURED, PaymentStatus.REFUNDED]
    ).exists()
