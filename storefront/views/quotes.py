"""B2B quotes in the customer portal (issue 17): "Ask for a quote" from the cart, the company's
quotes, one quote with its lines (list price, quoted price, discount), its PDF, Accept / Decline.
Thin: parse the POST, call ``orders.services.quotes``, redirect with a message."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Address
from core.errors import ApplicationError
from inventory.models import Location, LocationKind
from orders.errors import EmptyCart
from orders.models import DeliveryMethod, QuoteStatus
from orders.services import quotes as services

from .. import cart_session
from .account import not_found_as_404, portal_login_required

if TYPE_CHECKING:
    from accounts.models import User


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)  # behind portal_login_required


@portal_login_required
@require_POST
def quote_request(request: HttpRequest) -> HttpResponse:
    cart = cart_session.get_cart(request)
    try:
        if cart is None:
            services.check_company_buyer(_user(request))
            raise EmptyCart(_("Your cart is empty: add products before asking for a quote."))
        quote = services.request_quote(
            cart=cart, user=_user(request), message=request.POST.get("message", "")
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("orders:cart"))
    messages.success(
        request,
        _("Quote %(number)s is asked for: our sales team will send it to you. Your cart is unchanged.")
        % {"number": quote.number},
    )
    return HttpResponseRedirect(reverse("accounts:quote-detail", kwargs={"number": quote.number}))


@portal_login_required
def quotes(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        services.check_company_buyer(user)
    except ApplicationError:
        raise Http404 from None  # the page does not exist for a shopper
    return render(
        request,
        "storefront/account/quotes.html",
        {"quotes": services.quotes_for(user, shop=getattr(request, "shop", None)), "active_tab": "quotes"},
    )


@portal_login_required
@not_found_as_404
def quote_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    quote = services.quote_for(user, number, shop=getattr(request, "shop", None))
    can_accept = quote.status == QuoteStatus.SENT and (
        quote.valid_until is not None and quote.valid_until >= timezone.localdate()
    )
    stores = (
        list(
            Location.objects.filter(kind=LocationKind.STORE, sells_online=True, is_active=True).order_by(
                "name"
            )
        )
        if can_accept
        else []
    )
    addresses = (
        list(Address.objects.filter(user=user).order_by("-is_default_shipping", "id")) if can_accept else []
    )
    return render(
        request,
        "storefront/account/quote_detail.html",
        {
            "quote": quote,
            "lines": list(quote.lines.all()),
            "can_accept": can_accept,
            "can_decline": quote.status in (QuoteStatus.REQUESTED, QuoteStatus.SENT),
            "stores": stores,
            "addresses": addresses,
            "active_tab": "quotes",
        },
    )


@portal_login_required
@require_POST
@not_found_as_404
def quote_accept(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    quote = services.quote_for(user, number, shop=getattr(request, "shop", None))
    choice = request.POST.get("delivery", "")
    kind, _sep, value = choice.partition(":")
    try:
        if kind == "address":
            address = Address.objects.filter(user=user, pk=int(value) if value.isdigit() else 0).first()
            fields = ("first_name", "last_name", "line1", "line2", "postal_code", "city", "country", "phone")
            data = {name: getattr(address, name) for name in fields} if address is not None else None
            quote = services.accept_quote(
                quote=quote, user=user, delivery_method=DeliveryMethod.HOME, shipping_address=data
            )
        else:
            quote = services.accept_quote(
                quote=quote, user=user, delivery_method=DeliveryMethod.CLICK_AND_COLLECT, location_code=value
            )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("accounts:quote-detail", kwargs={"number": number}))
    assert quote.order is not None
    messages.success(
        request,
        _("Quote %(number)s is accepted: order %(order)s is placed at the quoted prices.")
        % {"number": quote.number, "order": quote.order.number},
    )
    return HttpResponseRedirect(reverse("accounts:order", kwargs={"number": quote.order.number}))


@portal_login_required
@require_POST
@not_found_as_404
def quote_decline(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    quote = services.quote_for(user, number, shop=getattr(request, "shop", None))  # another company's: 404
    try:
        services.decline_quote(quote=quote, user=user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Quote %(number)s is declined.") % {"number": number})
    return HttpResponseRedirect(reverse("accounts:quote-detail", kwargs={"number": number}))


@portal_login_required
@not_found_as_404
def quote_pdf(request: HttpRequest, number: str) -> FileResponse:
    quote = services.quote_for(_user(request), number, shop=getattr(request, "shop", None))
    if not quote.pdf:
        raise Http404(_("The PDF of %(number)s is being prepared.") % {"number": number})
    return FileResponse(
        quote.pdf.open("rb"),
        as_attachment=True,
        filename=f"{quote.number}.pdf",
        content_type="application/pdf",
    )
