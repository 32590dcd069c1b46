"""Orders as the ERP reads them: in id order after a cursor, with lines and payments, few queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from orders.models import Order, OrderLine


def orders_after(*, after: int, limit: int) -> list[Order]:
    """Up to ``limit`` orders with an id above ``after``, oldest first (a stable cursor: ids only grow)."""
    return list(
        Order.objects.filter(pk__gt=after)
        .select_related("customer__customer_profile", "location")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
        .order_by("pk")[:limit]
    )


def order_row(order: Order) -> dict[str, Any]:
    profile = getattr(order.customer, "customer_profile", None) if order.customer_id else None
    return {
        "id": order.pk,
        "number": order.number,
        "channel": order.channel,
        "status": order.status,
        "delivery_method": order.delivery_method,
        "store": order.location.code if order.location_id else None,
        "customer_code": profile.erp_code if profile is not None else None,
        "email": order.email,
        "currency": order.currency,
        "total_net": order.total_net,
        "total_vat": order.total_vat,
        "total_gross": order.total_gross,
        "discount_gross": order.discount_gross,
        "shipping_gross": order.shipping_gross,
        "refunded_gross": order.refunded_gross,
        "created_at": order.created_at,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price_net": line.unit_price_net,
                "vat_rate": line.vat_rate,
                "discount_gross": line.discount_gross,
                "total_net": line.total_net,
                "total_gross": line.total_gross,
                "quantity_cancelled": line.quantity_cancelled,
                "quantity_returned": line.quantity_returned,
            }
            for line in order.lines.all()
        ],
    }
