"""``{% order_shipments order as shipments %}``: the order's shipments, parcels and tracking events
(``logistics.selectors_shipping.shipments_of``), for the portal's order page (``_parcels.html``).
Home-delivery orders only; three queries when the order has shipments, one when it has none."""

from __future__ import annotations

from typing import Any

from django import template

from logistics.selectors_shipping import shipments_of

register = template.Library()


@register.simple_tag
def order_shipments(order: Any) -> list[Any]:
    if order is None or getattr(order, "delivery_method", "") != "home":
        return []
    return shipments_of(order.pk)
