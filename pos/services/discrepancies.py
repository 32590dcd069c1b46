"""Closing a stock discrepancy: the store manager has looked at the goods that left without stock
(and counted the shelf through the inventory count if needed) and says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from inventory.permissions import ensure_can_act

from ..models import DiscrepancyStatus, StockDiscrepancy

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def resolve_stock_discrepancy(*, discrepancy: StockDiscrepancy, user: User, note: str = "") -> bool:
    """Mark an open discrepancy resolved with the manager's note; False when it already was."""
    locked = StockDiscrepancy.objects.select_for_update(of=("self",)).select_related("location")
    discrepancy = locked.get(pk=discrepancy.pk)
    ensure_can_act(user, discrepancy.location, "adjust_stock")
    if discrepancy.status == DiscrepancyStatus.RESOLVED:
        return False
    discrepancy.status = DiscrepancyStatus.RESOLVED
    note = note.strip() or f"Resolved by {user.email}"
    discrepancy.note = f"{discrepancy.note} · {note}"[-250:] if discrepancy.note else note[:250]
    discrepancy.save(update_fields=["status", "note"])
    return True
