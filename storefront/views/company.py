"""A company's side of the portal (issue 17): the orders waiting for an approver's decision."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.auth import signed_in_user
from core.errors import ApplicationError
from orders.models import Order
from orders.services import b2b_terms
from shops.selectors import rows_of_shop

from .account import portal_login_required


@portal_login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """The approver's list; 404 for anyone who approves nothing (the page does not exist for them)."""
    user = signed_in_user(request.user)
    if not b2b_terms.is_approver(user):
        raise Http404
    return render(
        request,
        "storefront/account/approvals.html",
        {
            "pending": b2b_terms.pending_approvals(user, shop=getattr(request, "shop", None)),
            "active_tab": "approvals",
        },
    )


@portal_login_required
@require_POST
def approval_decide(request: HttpRequest, number: str) -> HttpResponse:
    user = signed_in_user(request.user)
    order = Order.objects.filter(rows_of_shop(getattr(request, "shop", None)), number=number).first()
    if order is None or not b2b_terms.is_approver(user):
        raise Http404
    decision = request.POST.get("decision", "")
    try:
        if decision == "approve":
            b2b_terms.approve_order(order=order, approver=user)
            messages.success(request, _("Order %(number)s is approved.") % {"number": number})
        elif decision == "reject":
            b2b_terms.reject_order(order=order, approver=user, reason=request.POST.get("reason", "")[:200])
            messages.success(request, _("Order %(number)s is rejected and cancelled.") % {"number": number})
        else:
            messages.error(request, _("Choose to approve or to reject."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("accounts:approvals")
