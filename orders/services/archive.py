"""Past orders imported as they were: an archive from the previous system (an ERP migration, the
demo's year of history).

``import_archived_orders`` writes completed orders and their lines in bulk, with their own dates.
They happened before the platform: no stock moves, no payment, no business event (no invoice, no
loyalty points, no e-mail), only ``OrdersArchived`` for the readers of history. What reads order
history (recommendations, the portal, reports) sees them like any order. One transaction; numbers
are the archive's own (they must not collide with the platform's series).
"""

from __future__ import annotations

from django.db import transaction

from core import events

from ..events import OrdersArchived
from ..models import Order, OrderLine, OrderStatus


@transaction.atomic
def import_archived_orders(*, orders: list[Order], lines: list[OrderLine]) -> int:
    """Write ``orders`` (unsaved, completed, ``created_at`` set) and ``lines`` (unsaved, each with its
    ``order``); returns how many orders were written."""
    if any(order.status != OrderStatus.COMPLETED or order.pk is not None for order in orders):
        raise ValueError("Archived orders are new rows of completed orders.")
    dates = [order.created_at for order in orders]
    Order.objects.bulk_create(orders, batch_size=500)
    for order, created_at in zip(orders, dates, strict=True):
        order.created_at = order.updated_at = created_at  # auto_now_add set them to now
    Order.objects.bulk_update(orders, ["created_at", "updated_at"], batch_size=500)
    for line in lines:
        line.order_id = line.order.pk
    OrderLine.objects.bulk_create(lines, batch_size=1000)
    if orders:
        ids = [order.pk for order in orders]
        events.publish(OrdersArchived(first_id=min(ids), last_id=max(ids), count=len(ids)))
    return len(orders)
