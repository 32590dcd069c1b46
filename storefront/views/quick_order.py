"""Quick order pages in the customer portal (issue 17): paste or upload a list, order a past order
again, save the cart as a usual order and put one back in the cart. Thin: parse the POST, call
``orders.services.quick_order``, redirect to the cart or show the per-row report.

Open to every signed-in customer; a company buyer's lists are shared with their company, and the
cart applies their minimum and pack size."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import company_membership_for
from core.errors import ApplicationError
from orders import selectors as order_selectors
from orders import selectors_quick_order as quick_selectors
from orders.errors import EmptyCart
from orders.services import quick_order as services

from .. import cart_session
from .account import not_found_as_404, portal_login_required

if TYPE_CHECKING:
    from accounts.models import User

TEMPLATE = "storefront/account/quick_order.html"
TEXT_FIELD_MAX = 300_000  # characters kept from the textarea (the service's byte limit is lower)


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)  # the views are behind portal_login_required


def _page(request: HttpRequest, *, text: str = "", report=None, problem: str = "", status: int = 200):
    return render(
        request,
        TEMPLATE,
        {
            "text": text,
            "report": report,
            "problem": problem,
            "usual_orders": list(quick_selectors.usual_orders_for(request.user)),
            "company": getattr(company_membership_for(request.user), "company", None),
            "max_rows": settings.QUICK_ORDER_MAX_ROWS,
            "active_tab": "quick_order",
        },
        status=status,
    )


def _add(request: HttpRequest, report: services.QuickOrderReport, *, partial: bool = False):
    """All the report's lines into the request's cart, or none; the cart page on success."""
    with transaction.atomic():  # a cart opened for it exists only if the lines do
        cart = cart_session.get_cart(request, create=True)
        services.add_quick_order(cart=cart, report=report, partial=partial)
    count = report.added
    messages.success(
        request,
        ngettext("%(count)s product added to your cart.", "%(count)s products added to your cart.", count)
        % {"count": count},
    )
    for row in report.merged_rows:
        messages.info(request, _("Line %(line)s: %(note)s") % {"line": row.number, "note": row.note})
    if partial:
        for row in report.bad_rows:
            messages.warning(
                request, _("Not added: %(sku)s, %(error)s") % {"sku": row.code, "error": row.error}
            )
    return HttpResponseRedirect(reverse("orders:cart"))


def _forget_unsaved_cart(request: HttpRequest) -> None:
    cart_session.forget_cached(request)


@portal_login_required
@require_http_methods(["GET", "POST"])
def quick_order(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    text = request.POST.get("lines", "")[:TEXT_FIELD_MAX]
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            text = services.read_quick_order_file(upload.read(settings.QUICK_ORDER_MAX_BYTES + 1))
        report = services.parse_quick_order_text(text)
        return _add(request, report)
    except services.QuickOrderRefused as refused:
        _forget_unsaved_cart(request)
        return _page(request, text=text, report=refused.report, problem=str(refused.message), status=422)
    except ApplicationError as exc:
        _forget_unsaved_cart(request)
        return _page(request, text=text, problem=str(exc.message), status=exc.http_status)


@portal_login_required
@not_found_as_404
@require_POST
def reorder(request: HttpRequest, number: str) -> HttpResponse:
    """ "Order again": the order's lines into the cart; what cannot be added is reported, and
    "Add what can be added" (``partial=1``) adds the rest."""
    order = order_selectors.order_for_customer(
        user=_user(request), number=number, shop=getattr(request, "shop", None)
    )
    partial = request.POST.get("partial") == "1"
    report = services.reorder_report(order)
    try:
        return _add(request, report, partial=partial)
    except ApplicationError as exc:
        _forget_unsaved_cart(request)
        report = getattr(exc, "report", report)
        return render(
            request,
            "storefront/account/reorder.html",
            {
                "order": order,
                "report": report,
                "problem": str(exc.message),
                "can_add_some": any(not row.error for row in report.lines()),
                "active_tab": "orders",
            },
            status=422,
        )


@portal_login_required
@require_POST
def usual_order_save(request: HttpRequest) -> HttpResponse:
    cart = cart_session.get_cart(request)
    try:
        if cart is None:
            raise EmptyCart(_("Your cart is empty: add products before saving it as a list."))
        usual = services.save_usual_order(user=_user(request), cart=cart, name=request.POST.get("name", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("orders:cart"))
    messages.success(request, _("Your cart was saved as “%(name)s”.") % {"name": usual.name})
    return HttpResponseRedirect(reverse("accounts:quick-order") + "#usual-orders")


@portal_login_required
@not_found_as_404
@require_POST
def usual_order_add(request: HttpRequest, usual_order_id: int) -> HttpResponse:
    usual = quick_selectors.usual_order_for(request.user, usual_order_id)
    try:
        return _add(request, services.usual_order_report(usual))
    except services.QuickOrderRefused as refused:
        _forget_unsaved_cart(request)
        return _page(request, report=refused.report, problem=str(refused.message), status=422)
    except ApplicationError as exc:
        _forget_unsaved_cart(request)
        return _page(request, problem=str(exc.message), status=exc.http_status)


@portal_login_required
@not_found_as_404
@require_POST
def usual_order_delete(request: HttpRequest, usual_order_id: int) -> HttpResponse:
    usual = quick_selectors.usual_order_for(request.user, usual_order_id)
    services.delete_usual_order(usual_order=usual)
    messages.success(request, _("The list “%(name)s” was deleted.") % {"name": usual.name})
    return HttpResponseRedirect(reverse("accounts:quick-order") + "#usual-orders")
