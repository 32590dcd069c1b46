"""Where a storefront request keeps its cart and currency, and what happens to the cart at login.

- An anonymous shopper's cart is found by the token in ``request.session["cart_token"]``.
- A signed-in shopper's cart is their most recent OPEN cart (``Cart.user``).
- ``on_login(request, user)`` is called by the accounts views right after ``django.contrib.auth.login``
  (which keeps the session data): the anonymous session cart is merged into the user's cart, or
  simply becomes the user's when they have none.
- The currency is ``request.session["currency"]``: EUR, GBP, USD or CHF, EUR by default.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Literal, overload

from accounts.models import CustomerProfile
from core.auth import is_signed_in
from pricing.models import SUPPORTED_CURRENCIES
from pricing.services import BASE_CURRENCY

from .models import Cart, CartStatus
from .services import cart as cart_services

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from accounts.models import CustomerGroup, User

SESSION_KEY = "cart_token"
CURRENCY_KEY = "currency"
CURRENCY_CODES = [code for code, _ in SUPPORTED_CURRENCIES]
_CACHE_ATTR = "_cart_cache"


@overload
def get_cart(request: HttpRequest, *, create: Literal[True]) -> Cart: ...
@overload
def get_cart(request: HttpRequest, *, create: bool = False) -> Cart | None: ...
def get_cart(request: HttpRequest, *, create: bool = False) -> Cart | None:
    """The request's open cart, or None (or a new one with ``create=True``). Cached on the request."""
    cached: Cart | None = getattr(request, _CACHE_ATTR, None)
    if cached is not None and cached.status == CartStatus.OPEN:
        return cached
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cart = user_cart(user)
        if cart is None and create:
            cart = Cart.objects.create(user=user, currency=get_currency(request))
    else:
        cart = session_cart(request)
        if cart is None and create:
            cart = Cart.objects.create(currency=get_currency(request))
            request.session[SESSION_KEY] = str(cart.token)
    if cart is not None:
        setattr(request, _CACHE_ATTR, cart)
    return cart


def user_cart(user: User) -> Cart | None:
    return Cart.objects.filter(user=user, status=CartStatus.OPEN).order_by("-updated_at", "-id").first()


def session_cart(request: HttpRequest) -> Cart | None:
    token = parse_token(request.session.get(SESSION_KEY))
    if token is None:
        return None
    return Cart.objects.filter(token=token, status=CartStatus.OPEN, user__isnull=True).first()


def parse_token(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def on_login(request: HttpRequest, user: User) -> None:
    """Merge the anonymous session cart into ``user``'s cart (or hand it over when they have none)."""
    source = session_cart(request)
    request.session.pop(SESSION_KEY, None)
    forget_cached(request)
    if source is None:
        return
    target = user_cart(user)
    if target is None:
        Cart.objects.filter(pk=source.pk, user__isnull=True).update(user=user)
        return
    cart_services.merge_carts(source=source, target=target)


def customer_group(user: User | AnonymousUser | None) -> CustomerGroup | None:
    """The price group of a signed-in customer (B2B price lists), None for everybody else."""
    if not is_signed_in(user):
        return None
    profile = CustomerProfile.objects.select_related("group").filter(user=user).first()
    return profile.group if profile else None


def get_currency(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    currency = session.get(CURRENCY_KEY) if session is not None else None
    return currency if currency in CURRENCY_CODES else BASE_CURRENCY


def set_currency(request: HttpRequest, currency: str) -> None:
    request.session[CURRENCY_KEY] = currency


def forget_cached(request: HttpRequest) -> None:
    """Drop the cart cached on the request (after a rollback or a login)."""
    if hasattr(request, _CACHE_ATTR):
        delattr(request, _CACHE_ATTR)
