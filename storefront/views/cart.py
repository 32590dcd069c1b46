"""The cart page and its forms. Thin: parse the POST, call one cart service, redirect with a message.

Every form works without JavaScript (POST then redirect). ``cart-add`` also answers JSON when the
request sends ``Accept: application/json``: ``{"cart_count", "line"}``, or the error
``{"code", "message", "detail"}`` with its 4xx.
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import company_membership_for
from catalog.errors import UnknownSku
from catalog.models import Variant
from catalog.selectors import variant_by_sku
from core.auth import is_signed_in
from core.errors import ApplicationError, ValidationFailed
from loyalty import selectors as loyalty_selectors
from loyalty import services as loyalty_services
from marketing import selectors as marketing_selectors
from marketing import traffic
from orders import errors as order_errors
from orders import selectors as order_selectors
from orders.selectors_cart import cart_suggestions
from orders.services import cart as services
from pricing.errors import UnsupportedCurrency
from pricing.services import BASE_CURRENCY, offered_currencies

from .. import cart_session
from .. import selectors as storefront_selectors
from ..errors import UnknownProduct


@require_GET
def cart_page(request: HttpRequest) -> HttpResponse:
    cart = cart_session.get_cart(request)
    priced, suggestions, also_like = None, [], []
    if cart is not None:
        group = cart_session.customer_group(request.user)
        try:
            priced = services.price_cart(
                cart=cart, customer_group=group, currency=cart_session.get_currency(request)
            )
        except UnsupportedCurrency:  # staff removed the rate since the shopper chose it
            cart_session.set_currency(request, BASE_CURRENCY)
            priced = services.price_cart(cart=cart, customer_group=group, currency=BASE_CURRENCY)
        if priced.is_empty:
            priced = None
        else:
            suggestions = [
                (
                    suggestion,
                    priced.in_currency(suggestion.unit_net if priced.prices_ht else suggestion.unit_gross),
                )
                for suggestion in cart_suggestions(
                    product_ids={line.variant.product_id for line in priced.lines},
                    customer_group=group,
                    shop_id=cart.shop_id,
                )
            ]
            in_cart = [line.variant.product_id for line in priced.lines]
            also_like = storefront_selectors.recommended_cards(
                marketing_selectors.for_cart(
                    in_cart, exclude=[s.product.pk for s, _ in suggestions], limit=4, user=request.user
                ),
                customer_group=group,
                currency=priced.currency,
            )
    rewards, vouchers = None, []
    if priced is not None and is_signed_in(request.user):
        rewards = loyalty_selectors.rewards_available(customer_id=request.user.pk)
        applied = priced.coupon.pk if priced.coupon else None
        held = loyalty_selectors.vouchers_held(customer_id=request.user.pk)
        vouchers = [v for v in held if v.pk != applied]
    return render(
        request,
        "storefront/checkout/cart.html",
        {
            "cart": cart,
            "priced": priced,
            "suggestions": suggestions,
            "also_like": also_like,
            "shopper": {"is_b2b": priced is not None and priced.prices_ht},  # the cards' HT or TTC
            "max_quantity": order_errors.MAX_LINE_QUANTITY,
            "rewards": rewards,
            "vouchers": vouchers,
            "points_nonce": uuid.uuid4().hex,
            # a company buyer may ask for a quote instead (orders.services.quotes)
            "company_buyer": priced is not None and company_membership_for(request.user) is not None,
            # the cart's shop's choice (ShopCheckoutOptions); nothing to ask for an empty cart
            "offers_reservation": cart is not None
            and priced is not None
            and storefront_selectors.offers_reservation(cart.shop_id),
        },
    )


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        variant = _variant(request.POST.get("sku", ""))
        quantity = _quantity(request.POST.get("quantity", "1"))
        with transaction.atomic():  # a new cart exists only if the line does
            line = services.add_to_cart(
                cart=cart_session.get_cart(request, create=True), variant=variant, quantity=quantity
            )
    except ApplicationError as exc:
        _forget_unsaved_cart(request)
        if wants_json:
            return JsonResponse(exc.as_dict(), status=exc.http_status)
        messages.error(request, exc.message)
        return _back(request, default=_referer_or_cart(request))
    traffic.note_step(request, traffic.Step.CART)
    name = variant.product.name
    if wants_json:
        count = order_selectors.cart_item_count(line.cart)
        return JsonResponse(
            {
                "cart_count": count,
                "line": {"sku": variant.sku, "name": name, "quantity": line.quantity},
                "message": _("Added to your cart: %(name)s.") % {"name": name},
            }
        )
    messages.success(request, _("Added to your cart: %(name)s.") % {"name": name})
    return _back(request, default=reverse("orders:cart"))


@require_GET
def cart_drawer(request: HttpRequest) -> HttpResponse:
    """The mini-cart drawer's content (an HTML fragment ``core/page.js`` opens over any page): the
    lines with their photos, the total, the way to the cart and to checkout. Never cached."""
    cart = cart_session.get_cart(request)
    priced = None
    if cart is not None:
        group = cart_session.customer_group(request.user)
        try:
            priced = services.price_cart(
                cart=cart, customer_group=group, currency=cart_session.get_currency(request)
            )
        except UnsupportedCurrency:
            priced = services.price_cart(cart=cart, customer_group=group, currency=BASE_CURRENCY)
    response = render(
        request,
        "storefront/checkout/_drawer.html",
        {"priced": priced if priced and not priced.is_empty else None},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def cart_count(request: HttpRequest) -> HttpResponse:
    """``{"cart_count": n}``: the header's badge, for pages served whole from the cache
    (``storefront.middleware.FullPageCacheMiddleware``), which show 0 until ``core/page.js`` asks."""
    response = JsonResponse({"cart_count": cart_session.item_count(request)})
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    cart = cart_session.get_cart(request)
    try:
        if cart is None:
            raise order_errors.NotInCart(_("Your cart is empty."))
        variant = _variant(request.POST.get("sku", ""))
        raw = request.POST.get("set") or request.POST.get("quantity", "")
        line = services.set_cart_line_quantity(
            cart=cart, variant=variant, quantity=_quantity(raw, allow_zero=True)
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if line is None:
            messages.success(request, _("Removed from your cart: %(name)s.") % {"name": variant.product.name})
        else:
            messages.success(request, _("Quantity updated."))
    return HttpResponseRedirect(reverse("orders:cart"))


@require_POST
def cart_remove(request: HttpRequest) -> HttpResponse:
    cart = cart_session.get_cart(request)
    try:
        if cart is None:
            raise order_errors.NotInCart(_("Your cart is empty."))
        variant = _variant(request.POST.get("sku", ""))
        services.remove_from_cart(cart=cart, variant=variant)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Removed from your cart: %(name)s.") % {"name": variant.product.name})
    return HttpResponseRedirect(reverse("orders:cart"))


@require_POST
def cart_coupon(request: HttpRequest) -> HttpResponse:
    cart = cart_session.get_cart(request)
    try:
        if cart is None:
            raise order_errors.NotInCart(_("Add products before using a coupon."))
        if request.POST.get("action") == "remove":
            services.remove_coupon(cart=cart)
            messages.success(request, _("The coupon was removed."))
        else:
            coupon = services.apply_coupon(
                cart=cart,
                code=request.POST.get("code", ""),
                user=request.user,
                customer_group=cart_session.customer_group(request.user),
            )
            messages.success(request, _("Coupon %(code)s applied.") % {"code": coupon.code})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("orders:cart"))


@require_POST
def cart_use_points(request: HttpRequest) -> HttpResponse:
    """ "Use 100 points: 5 EUR off": the points become a personal voucher (loyalty) and its code is
    applied to the cart (orders), both or neither. The form's nonce is the conversion's key, so a
    double click makes one voucher."""
    cart = cart_session.get_cart(request)
    try:
        if not is_signed_in(request.user):
            raise ValidationFailed(_("Sign in to use your points."))
        if cart is None:
            raise order_errors.NotInCart(_("Add products before using a coupon."))
        nonce = request.POST.get("nonce", "")
        if not _NONCE.fullmatch(nonce):
            raise ValidationFailed(_("This form has expired: try again."))
        with transaction.atomic():
            voucher = loyalty_services.convert_points_to_voucher(
                customer=request.user, key=f"web-cart:{cart.token}:{nonce}"
            )
            services.apply_coupon(
                cart=cart,
                code=voucher.code,
                user=request.user,
                customer_group=cart_session.customer_group(request.user),
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(points)s points used: voucher %(code)s applied.")
            % {"points": settings.LOYALTY_REWARD_POINTS, "code": voucher.code},
        )
    return HttpResponseRedirect(reverse("orders:cart"))


@require_POST
def set_currency(request: HttpRequest) -> HttpResponse:
    currency = request.POST.get("currency", "")
    if currency in offered_currencies():
        cart_session.set_currency(request, currency)
    else:
        messages.error(request, _("This currency is not offered."))
    return _back(request, default=reverse("orders:cart"))


# --- helpers --------------------------------------------------------------------------------------

_NONCE = re.compile(r"[0-9a-f]{32}")


def _variant(sku: str) -> Variant:
    try:
        return variant_by_sku(sku)
    except UnknownSku as exc:
        raise UnknownProduct(_("This product does not exist."), detail=exc.detail) from None


def _quantity(raw: str | None, *, allow_zero: bool = False) -> int:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        raise order_errors.InvalidCartQuantity(
            _("The quantity must be a whole number from %(low)s to %(max)s.")
            % {"low": 0 if allow_zero else 1, "max": order_errors.MAX_LINE_QUANTITY},
            detail={"quantity": str(raw)[:20]},
        ) from None


def _forget_unsaved_cart(request: HttpRequest) -> None:
    """After a refused add, a cart created for it was rolled back: forget its token."""
    if cart_session.session_cart(request) is None:
        request.session.pop(cart_session.SESSION_KEY, None)
    cart_session.forget_cached(request)


def _safe(request: HttpRequest, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _referer_or_cart(request: HttpRequest) -> str:
    return _safe(request, request.headers.get("Referer")) or reverse("orders:cart")


def _back(request: HttpRequest, *, default: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(_safe(request, request.POST.get("next")) or default)
