"""Messages to people about POS events (sent after commit, from tasks)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from accounts.models import Role

from ..models import StockDiscrepancy


def notify_stock_discrepancies(*, discrepancy_ids: list[int]) -> int:
    """E-mail the store's managers (or the inventory fallback address) the discrepancies of one sale."""
    rows = list(
        StockDiscrepancy.objects.filter(pk__in=discrepancy_ids)
        .select_related("location", "variant__product", "order")
        .order_by("id")
    )
    if not rows:
        return 0
    store = rows[0].location
    recipients = list(
        store.staff_members.filter(groups__name=Role.STORE_MANAGER, is_active=True).values_list(
            "email", flat=True
        )
    ) or [settings.INVENTORY_ALERT_FALLBACK_EMAIL]
    body = "\n".join(
        f"- {d.variant.product.name} ({d.variant.sku}): {d.quantity} sold without stock ({d.note})"
        for d in rows
    )
    number = rows[0].order.number if rows[0].order else ""
    send_mail(
        subject=f"[{store.code}] Stock discrepancy after an offline sale {number}",
        message=(
            f"A sale recorded offline at {store.name} took goods the stock no longer held. "
            f"Count these products and adjust the stock:\n{body}"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
    return len(rows)
