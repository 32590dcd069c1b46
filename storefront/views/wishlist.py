"""The wishlist (heart on product pages, "My wishlist" in the portal), the abandoned cart's restore
link and the checkout's "remind me of my cart" box. Thin: parse, call one marketing service, answer.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Product, Variant
from core import ratelimit
from core.auth import signed_in_user
from core.errors import ApplicationError
from inventory.models import Location
from marketing import abandoned_carts, wishlist
from marketing import selectors as marketing_selectors
from orders.services import cart as cart_services

from .. import cart_session
from .account import _safe_next, portal_login_required

CART_REMINDER_TEXT = gettext_lazy(
    "E-mail me a reminder of my cart if I do not finish my order (you can unsubscribe at any time)."
)


# --- wishlist -------------------------------------------------------------------------------------


def _bad(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"code": "invalid_input", "message": message}, status=status)
    return render(request, "storefront/wishlist_error.html", {"message": message}, status=status)


def _wish_target(
    request: HttpRequest,
) -> tuple[Product, Variant | None, Location | None] | HttpResponse:
    """The product (published), the variant (its SKU, optional) and the store (its code, optional)
    a heart form names: a 400 for malformed input, a 404 for an unknown product, variant or store."""
    raw = request.POST.get("product", "").strip()
    if not raw.isdigit() or len(raw) > 18:
        return _bad(request, _("Choose a product."), status=400)
    product = Product.objects.filter(pk=int(raw), is_published=True).first()
    if product is None:
        return _bad(request, _("This product does not exist."), status=404)
    variant = None
    if sku := request.POST.get("sku", "").strip()[:64]:
        variant = Variant.objects.filter(product=product, sku=sku, is_active=True).first()
        if variant is None:
            return _bad(request, _("This product has no variant “%(sku)s”.") % {"sku": sku}, status=404)
    store = None
    if code := request.POST.get("store", "").strip()[:32]:
        store = Location.objects.filter(code=code).first()
        if store is None:
            return _bad(request, _("No such store."), status=404)
    return product, variant, store


def _back(request: HttpRequest, product: Product) -> HttpResponseRedirect:
    return HttpResponseRedirect(_safe_next(request, reverse("catalog:product", args=[product.slug])))


@require_POST
def wishlist_add(request: HttpRequest) -> HttpResponse:
    """The heart. Signed out: to the login page, back to the product page after."""
    if not request.user.is_authenticated:
        return redirect_to_login(
            _safe_next(request, reverse("catalog:home")), login_url=reverse("accounts:login")
        )
    target = _wish_target(request)
    if isinstance(target, HttpResponse):
        return target
    product, variant, store = target
    try:
        wishlist.add_wish(
            customer=signed_in_user(request.user), product=product, variant=variant, store=store
        )
    except ApplicationError as exc:
        return _bad(request, str(exc.message), status=exc.http_status)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"wished": True})
    messages.success(request, _("Added to your wishlist."))
    return _back(request, product)


@require_POST
def wishlist_remove(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(
            _safe_next(request, reverse("catalog:home")), login_url=reverse("accounts:login")
        )
    target = _wish_target(request)
    if isinstance(target, HttpResponse):
        return target
    product, variant, _store = target
    wishlist.remove_wish(customer=signed_in_user(request.user), product=product, variant=variant)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"wished": False})
    messages.success(request, _("Removed from your wishlist."))
    return _back(request, product)


@portal_login_required
def wishlist_page(request: HttpRequest) -> HttpResponse:
    rows = marketing_selectors.wishlist_rows(customer=signed_in_user(request.user))
    return render(request, "storefront/account/wishlist.html", {"rows": rows, "active_tab": "wishlist"})


# --- abandoned carts ---------------------------------------------------------------------------------


@never_cache
@require_GET
def cart_restore(request: HttpRequest, token: str) -> HttpResponse:
    """The reminder's link: the cart back in this session (a guest's) or in the account, then the
    cart page. An expired, forged or used-up link: a page that says so (400)."""
    try:
        cart = abandoned_carts.cart_to_restore(token=token)
    except ApplicationError as exc:
        return render(
            request, "marketing/invalid_link.html", {"message": exc.message}, status=exc.http_status
        )
    user = request.user
    if cart.user_id is not None:
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("accounts:login"))
        if cart.user_id != user.pk:
            return render(
                request,
                "marketing/invalid_link.html",
                {"message": _("This cart belongs to another account.")},
                status=403,
            )
    elif user.is_authenticated:
        cart_services.claim_cart(source=cart, user=signed_in_user(user))
    else:
        request.session[cart_session.SESSION_KEY] = str(cart.token)
    cart_session.forget_cached(request)
    messages.success(request, _("Your cart is back."))
    return redirect("orders:cart")


@require_POST
def checkout_reminder_optin(request: HttpRequest) -> HttpResponse:
    """The checkout's box, ticked by a guest (JavaScript posts it as soon as it is ticked; the
    checkout form also calls ``remember_checkout_email``): 200 JSON, or 400 for a bad address."""
    refused = ratelimit.limit(request, scope="signup", key="cart-reminder:" + ratelimit.client_ip(request))
    if refused is not None:
        return refused
    if request.POST.get("remind") != "1":
        return JsonResponse({"code": "invalid_input", "message": _("Tick the box first.")}, status=400)
    try:
        contact = remember_checkout_email(request, email=request.POST.get("email", ""))
    except ApplicationError as exc:
        return JsonResponse({"code": exc.code, "message": str(exc.message)}, status=exc.http_status)
    return JsonResponse({"remembered": contact})


def remember_checkout_email(request: HttpRequest, *, email: str) -> bool:
    """A guest's e-mail and ticked box, for their cart's reminders. False when there is no guest
    cart (signed in: the account's consent is used)."""
    if request.user.is_authenticated:
        return False
    cart = cart_session.get_cart(request)
    if cart is None:
        return False
    contact = abandoned_carts.remember_guest_cart(
        cart=cart,
        email=email[:254],
        text_shown=str(CART_REMINDER_TEXT),
        language=get_language() or "",
        ip_address=ratelimit.client_ip(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
    )
    return contact is not None
