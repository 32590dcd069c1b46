"""What every storefront page's header and footer need from the cart: its size and the currency.

Both ``cart_count`` and ``currencies`` are callables: the template calls them (one query each)
only on pages that show them.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Sum
from django.http import HttpRequest

from pricing.services import offered_currencies

from . import cart_session


def cart(request: HttpRequest) -> dict[str, Callable[[], Any] | str]:
    def cart_count() -> int:
        if not hasattr(request, "session"):
            return 0
        found = cart_session.get_cart(request)
        if found is None:
            return 0
        return found.lines.aggregate(n=Sum("quantity"))["n"] or 0

    return {
        "cart_count": cart_count,
        "currency": cart_session.get_currency(request),
        "currencies": offered_currencies,
    }
