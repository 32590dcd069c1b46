"""Portal returns (RMA) under /<lang>/account/: the form to ask a return of an order, the RMA page
(status, barcode to show at a store, label link, what was received and refunded) and the label PDF.
Thin: the service (``logistics.services_returns``) checks and writes; a refusal is shown on the form."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.auth import signed_in_user
from core.errors import ApplicationError
from logistics import services_returns as services
from logistics.returns_models import (
    ReturnMethod,
    ReturnReason,
    ReturnRefundChoice,
    ReturnRequest,
    ReturnRequestStatus,
)
from orders import selectors as order_selectors

from .account import not_found_as_404, portal_login_required

MAX_FORM_QUANTITY = 99
QUIET_MODULES = 10  # white on each side of the bars, as scanners need (ISO/IEC 15417)


def code128_svg(value: str) -> str:
    """The Code 128 of ``value`` as inline SVG drawn with attributes only (the CSP refuses the
    ``style=`` attributes python-barcode's own writer puts on every bar), scaled by its viewBox."""
    from barcode import Code128

    modules = "".join(Code128(value).build())
    width, height = len(modules) + 2 * QUIET_MODULES, 40
    bars, x = [], QUIET_MODULES
    for is_bar, run in ((bit == "1", len(list(group))) for bit, group in groupby(modules)):
        if is_bar:
            bars.append(f'<rect x="{x}" y="0" width="{run}" height="{height}" fill="#000"/>')
        x += run
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" shape-rendering="crispEdges" aria-hidden="true">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>{"".join(bars)}</svg>'
    )


def _own_request(request: HttpRequest, number: str) -> ReturnRequest:
    user = signed_in_user(request.user)
    rma = (
        services.requests_for_customer(user)
        .select_related("received_at_location")
        .prefetch_related("lines__order_line")
        .filter(number=number.upper())
        .first()
    )
    if rma is None:
        raise Http404(_("No such return in your account."))
    return rma


def _parse_lines(request: HttpRequest, order_lines: list[Any]) -> list[services.ReturnLineInput]:
    lines = []
    for line in order_lines:
        text = (request.POST.get(f"qty-{line.pk}") or "0").strip()
        quantity = int(text) if text.isdigit() and len(text) <= 3 else -1
        if quantity == 0:
            continue
        lines.append(
            services.ReturnLineInput(
                line.pk,
                quantity,
                (request.POST.get(f"reason-{line.pk}") or "")[:20],
                (request.POST.get(f"comment-{line.pk}") or "")[:250],
            )
        )
    return lines


@portal_login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def return_new(request: HttpRequest, number: str) -> HttpResponse:
    user = signed_in_user(request.user)
    order = order_selectors.order_for_customer(user=user, number=number, shop=getattr(request, "shop", None))
    order_lines = list(order.lines.all())
    returnable = services.returnable_quantities(order, order_lines)
    eligible, reason, deadline = services.return_eligibility_and_deadline(order)
    error = ""
    status = 200
    chosen: dict[str, str] = {}
    if request.method == "POST":
        chosen = {key: str(value)[:250] for key, value in request.POST.items()}
        try:
            rma = services.request_return(
                order=order,
                customer=user,
                lines=_parse_lines(request, order_lines),
                method=(request.POST.get("method") or "")[:8],
                refund_choice=(request.POST.get("refund_choice") or "")[:14],
            )
        except ApplicationError as exc:
            error, status = str(exc.message), 400 if exc.http_status == 400 else 409
        else:
            messages.success(request, _("Your return %(number)s is registered.") % {"number": rma.number})
            return redirect("accounts:return", rma.number)
    rows = [
        {
            "line": line,
            "returnable": returnable.get(line.pk, 0),
            "choices": range(0, min(returnable.get(line.pk, 0), MAX_FORM_QUANTITY) + 1),
            "chosen_qty": chosen.get(f"qty-{line.pk}", "0"),
            "chosen_reason": chosen.get(f"reason-{line.pk}", ""),
            "chosen_comment": chosen.get(f"comment-{line.pk}", ""),
        }
        for line in order_lines
    ]
    return render(
        request,
        "storefront/account/return_form.html",
        {
            "order": order,
            "rows": rows,
            "eligible": eligible,
            "not_eligible_reason": reason,
            "deadline": deadline,
            "reasons": ReturnReason.choices,
            "methods": ReturnMethod.choices,
            "refund_choices": ReturnRefundChoice.choices,
            "chosen_method": chosen.get("method", ReturnMethod.STORE),
            "chosen_refund": chosen.get("refund_choice", ReturnRefundChoice.ORIGINAL),
            "error": error,
            "active_tab": "orders",
        },
        status=status,
    )


@portal_login_required
def return_detail(request: HttpRequest, number: str) -> HttpResponse:
    rma = _own_request(request, number)
    lines = list(rma.lines.all())
    return render(
        request,
        "storefront/account/return_detail.html",
        {
            "rma": rma,
            "order": rma.order,
            "lines": lines,
            "barcode_svg": code128_svg(rma.number),
            "received": rma.status in (ReturnRequestStatus.RECEIVED, ReturnRequestStatus.REFUNDED),
            "received_units": sum(line.quantity_resellable + line.quantity_damaged for line in lines),
            "damaged_units": sum(line.quantity_damaged for line in lines),
            "label_pending": rma.status == ReturnRequestStatus.REQUESTED,
            "active_tab": "orders",
        },
    )


@portal_login_required
def return_label(request: HttpRequest, number: str) -> HttpResponseBase:
    rma = _own_request(request, number)
    if not rma.label_pdf:
        raise Http404(_("The label is not ready."))
    return FileResponse(
        rma.label_pdf.open("rb"), content_type="application/pdf", filename=f"{rma.number}.pdf"
    )


@portal_login_required
@require_POST
def return_retry_label(request: HttpRequest, number: str) -> HttpResponse:
    rma = _own_request(request, number)
    try:
        services.retry_return_label(request=rma)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.info(request, _("We are asking the carrier for your label again."))
    return redirect("accounts:return", rma.number)
