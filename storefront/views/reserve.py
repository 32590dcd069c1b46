"""Reserve to try in store: the form (from the product page or the whole cart), the confirmation
page and the cancel button. Thin: parse, call ``orders.services.ereservation``, render.

Works without JavaScript. The form carries a one-time ``idempotency_key`` so a double submit gives
one reservation. A guest sees their reservation through its token (in the e-mail's link, and kept in
the session after reserving); a signed-in shopper through their account.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from catalog.models import Variant
from core.errors import ApplicationError
from orders.models import DeliveryMethod, Order
from orders.services import ereservation as services

from .. import cart_session

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SESSION_TOKENS = "reservation_tokens"  # number -> token, for the guest who just reserved


def _requested_lines(request: HttpRequest) -> tuple[list[services.ReserveLine], bool, StrOrPromise | None]:
    """The lines to reserve: the cart's (``from=cart``) or one SKU and quantity (the product page)."""
    data = request.POST if request.method == "POST" else request.GET
    if data.get("from") == "cart":
        cart = cart_session.get_cart(request)
        rows = list(cart.lines.select_related("variant__product")) if cart is not None else []
        lines = [services.ReserveLine(row.variant, row.quantity) for row in rows]
        return lines, True, None if lines else _("Your cart is empty.")
    sku = (data.get("sku") or "").strip()
    variant = (
        Variant.objects.select_related("product").filter(sku=sku, is_active=True).first() if sku else None
    )
    if variant is None:
        return [], False, _("Choose a product to reserve.")
    raw = (data.get("quantity") or "1").strip()
    quantity = int(raw) if raw.isdigit() else 0
    return [services.ReserveLine(variant, quantity)], False, None


@never_cache
@require_http_methods(["GET", "POST"])
def reserve_page(request: HttpRequest) -> HttpResponse:
    lines, from_cart, problem = _requested_lines(request)
    user = request.user if request.user.is_authenticated else None
    form = {
        "name": (request.POST.get("name") or "").strip(),
        "email": (request.POST.get("email") or "").strip(),
        "phone": (request.POST.get("phone") or "").strip(),
        "store": (request.POST.get("store") or request.GET.get("store") or "").strip(),
        "idempotency_key": request.POST.get("idempotency_key") or str(uuid.uuid4()),
    }
    error: StrOrPromise | None = problem
    field = ""
    status = 200 if problem is None else 400
    if request.method == "POST" and problem is None:
        try:
            order = services.reserve_in_store(
                lines=lines,
                store_code=form["store"],
                customer=user,
                name=form["name"],
                email=form["email"],
                phone=form["phone"],
                language=get_language() or "fr",
                idempotency_key=form["idempotency_key"],
                cart=cart_session.get_cart(request) if from_cart else None,
                shop_id=getattr(getattr(request, "shop", None), "id", None),  # the host's shop
            )
        except ApplicationError as exc:
            error, status = exc.message, exc.http_status
            field = str(exc.detail.get("field", "")) if isinstance(exc.detail, dict) else ""
            form["idempotency_key"] = str(uuid.uuid4())
        else:
            tokens = request.session.get(SESSION_TOKENS, {})
            tokens[order.number] = services.cancel_token(order)
            request.session[SESSION_TOKENS] = dict(list(tokens.items())[-10:])
            if from_cart:
                cart_session.forget_cached(request)
            return redirect("orders:reservation", number=order.number)
    choices = (
        services.store_choices(lines=lines) if lines and all(line.quantity > 0 for line in lines) else []
    )
    return render(
        request,
        "storefront/reserve/reserve.html",
        {
            "lines": lines,
            "from_cart": from_cart,
            "choices": choices,
            "any_ok": any(c.ok for c in choices),
            "form": form,
            "error": error,
            "error_field": field,
            "hold_hours": services.hold_hours(),
            "max_units": settings.E_RESERVATION_MAX_UNITS,
            "guest": user is None,
            "sku": lines[0].variant.sku if lines and not from_cart else "",
            "quantity": lines[0].quantity if lines and not from_cart else "",
        },
        status=status,
    )


def _visible(request: HttpRequest, number: str) -> tuple[Order, str]:
    number = (number or "").strip().upper()
    token = (
        request.GET.get("t")
        or request.POST.get("t")
        or request.session.get(SESSION_TOKENS, {}).get(number, "")
    )
    order = None
    if request.user.is_authenticated:
        order = Order.objects.filter(
            number=number, customer=request.user, delivery_method=DeliveryMethod.RESERVE_IN_STORE
        ).first()
    if order is None and token:
        order = services.order_for_token(number=number, token=token)
    if order is None:
        raise Http404
    return order, services.cancel_token(order)


@never_cache
def reservation_page(request: HttpRequest, number: str) -> HttpResponse:
    order, token = _visible(request, number)
    order = Order.objects.select_related("e_reservation__sale_order", "location").get(pk=order.pk)
    return render(
        request,
        "storefront/reserve/reservation.html",
        {"order": order, "hold": order.e_reservation, "lines": list(order.lines.all()), "token": token},
    )


@require_POST
def reservation_cancel(request: HttpRequest, number: str) -> HttpResponse:
    order, token = _visible(request, number)
    try:
        services.cancel_e_reservation(
            order=order, user=request.user if request.user.is_authenticated else None
        )
    except ApplicationError as exc:
        from django.contrib import messages

        messages.error(request, exc.message)
    return redirect(reverse("orders:reservation", args=[order.number]) + f"?t={token}")
