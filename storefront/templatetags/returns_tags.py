"""``{% order_returns order as returns %}``: the return block of the portal's order page
(``storefront/account/_returns.html``): may the shopper ask a return now, and the order's RMAs."""

from __future__ import annotations

from typing import Any

from django import template

from logistics import services_returns

register = template.Library()


@register.simple_tag
def order_returns(order: Any) -> dict[str, Any]:
    eligible, reason = services_returns.return_eligibility(order)
    return {
        "eligible": eligible,
        "reason": reason,
        "requests": services_returns.requests_for_order(order),
        "deadline": services_returns.return_deadline(order),
    }
