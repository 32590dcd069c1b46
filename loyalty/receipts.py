"""Loyalty's answer to the till receipt (``pos.loyalty_port``): the points a store sale earned and
the balance right after it. Registered in ``LoyaltyConfig.ready()``.

The balance printed is the ledger's sum up to the sale's own entry, not today's: a duplicate printed
next week shows what the original showed.
"""

from __future__ import annotations

from django.db.models import Sum

from pos.loyalty_port import SalePoints

from .models import LoyaltyAccount, PointsEntry


def sale_points(*, order_id: int, customer_id: int) -> SalePoints:
    """Points earned by the sale (``earn:order:<id>``, 0 if it earned none) and the balance then."""
    earn = (
        PointsEntry.objects.filter(source_key=f"earn:order:{order_id}", customer_id=customer_id)
        .only("pk", "points")
        .first()
    )
    account = LoyaltyAccount.objects.select_related("tier").filter(customer_id=customer_id).first()
    if earn is None:
        balance = account.balance if account is not None else 0
        earned = 0
    else:
        earned = earn.points
        balance = (
            PointsEntry.objects.filter(customer_id=customer_id, pk__lte=earn.pk).aggregate(
                total=Sum("points")
            )["total"]
            or 0
        )
    tier = account.tier.name if account is not None and account.tier is not None else ""
    return SalePoints(earned=earned, balance=balance, tier=tier)


class LoyaltyReceiptPoints:
    """The ``pos.loyalty_port.ReceiptPoints`` implementation."""

    def for_sale(self, *, order_id: int, customer_id: int) -> SalePoints | None:
        return sale_points(order_id=order_id, customer_id=customer_id)
