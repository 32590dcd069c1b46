"""The printable pages of the register: the sale receipt (80 mm thermal paper), the return receipt /
store credit note, and the Z report.

Cashiers and store managers see their store's; staff any. Another store's sale, return or session is
a 404.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import selectors
from .language import activate_user_language
from .permissions import can_use_store
from .services import journal


def _login(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('pos:login')}?next={request.path}")


@require_GET
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login(request)
    order = selectors.sale_for_receipt(number)
    if order is None or not can_use_store(request.user, order.location_id):
        raise Http404("No such sale here.")
    activate_user_language(request)
    # Each print is a technical journal entry: the first is the original, later ones are duplicates.
    duplicate = journal.record_receipt_print(order=order, user=request.user)
    context = {
        **selectors.receipt_context(order),
        "is_duplicate": duplicate > 0,
        "duplicate_number": duplicate,
    }
    return render(request, "pos/receipt.html", context)


@require_GET
def return_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The return receipt (and store credit note) of a return taken back at a till: the store that
    took the goods back is the one whose staff may see it."""
    if not request.user.is_authenticated:
        return _login(request)
    ret = selectors.return_for_receipt(number)
    if ret is None or not can_use_store(request.user, ret.location_id):
        raise Http404("No such return here.")
    activate_user_language(request)
    return render(request, "pos/return_receipt.html", selectors.return_receipt_context(ret))


@require_GET
def z_report(request: HttpRequest, session_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login(request)
    session = selectors.session_for_report(session_id)
    if session is None or not can_use_store(request.user, session.register.store_id):
        raise Http404("No such session here.")
    activate_user_language(request)
    report = selectors.z_report(session)
    counted_cash = sorted(
        ((Decimal(k), n, Decimal(k) * n) for k, n in report.counted_cash.items()), reverse=True
    )
    return render(
        request,
        "pos/z_report.html",
        {
            "report": report,
            "session": session,
            "store": session.register.store,
            "counted_cash": counted_cash,
            "journal_closing": journal.z_closing(session),  # templates/pos/_journal_closing.html
        },
    )
