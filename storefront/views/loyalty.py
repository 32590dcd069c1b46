"""The portal's "My points": tier and its benefits, progress to the next tier, balance, the rewards
the points can become, the vouchers and personal coupons held (codes, expiry), history.

Reads only (``loyalty.selectors``), one's own account; the history is paginated.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.auth import signed_in_user
from loyalty import selectors as loyalty_selectors

from .account import portal_login_required

ENTRIES_PER_PAGE = 20


@portal_login_required
def loyalty(request: HttpRequest) -> HttpResponse:
    customer_id = signed_in_user(request.user).pk
    summary = loyalty_selectors.account_summary(customer_id=customer_id)
    page = Paginator(loyalty_selectors.history(customer_id=customer_id), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "storefront/account/loyalty.html",
        {
            "summary": summary,
            "rewards": loyalty_selectors.rewards_available(customer_id=customer_id),
            "vouchers": loyalty_selectors.vouchers_held(customer_id=customer_id),
            "page": page,
            "active_tab": "loyalty",
        },
    )
