"""``{% order_returns order as returns %}``: the return block of the portal's order page
(``storefront/account/_returns.html``): may the shopper ask a return now, and the order's RMAs.

An order that was never delivered or collected online has no RMA: no query for it. Otherwise three
(the delivery time, what open RMAs ask, the order's RMAs) and one more when it has RMAs."""

from __future__ import annotations

from typing import Any

from django import template

from logistics import services_returns
from orders.models import Channel, OrderStatus

register = template.Library()

MAY_HAVE_RETURNS = (OrderStatus.COMPLETED, OrderStatus.REFUNDED)


@register.simple_tag
def order_returns(order: Any) -> dict[str, Any]:
    if order.channel != Channel.WEB or order.status not in MAY_HAVE_RETURNS:
        return {"eligible": False, "reason": "", "requests": [], "deadline": None}
    eligible, reason, deadline = services_returns.return_eligibility_and_deadline(order)
    return {
        "eligible": eligible,
        "reason": reason,
        "requests": services_returns.requests_for_order(order),
        "deadline": deadline,
    }
