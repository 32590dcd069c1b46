"""Where a storefront request keeps its cart and currency, and what happens to the cart at login.

- An anonymous shopper's cart is found by the token in ``request.session["cart_token"]``.
- A signed-in shopper's cart is their most recent OPEN cart (``Cart.user``).
- ``on_login(request, user)`` is called by the portal views right after ``django.contrib.auth.login``
  (which keeps the session data): the anonymous session cart is merged into the user's cart, or
  simply becomes the user's when they have none (``orders.services.cart.claim_cart``).
- The currency is ``request.session["currency"]``: EUR, GBP, USD or CHF, EUR by default.

Session plumbing only: the carts are read through ``orders.selectors`` and written by
``orders.services.cart``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Literal, overload

from accounts.selectors import customer_group_for
from orders import selectors as order_selectors
from orders.models import Cart, CartStatus
from orders.services import cart as cart_services
from pricing.models import SUPPORTED_CURRENCIES
from pricing.services import BASE_CURRENCY

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from accounts.models import CustomerGroup, User
    from shops.selectors import ShopInfo

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
        cart = order_selectors.open_cart_of_user(user, shop=_shop(request))
        if cart is None and create:
            cart = cart_services.open_cart(
                user=user, currency=get_currency(request), shop_id=_shop_id(request)
            )
    else:
        cart = session_cart(request)
        if cart is None and create:
            cart = cart_services.open_cart(currency=get_currency(request), shop_id=_shop_id(request))
            request.session[SESSION_KEY] = str(cart.token)
    if cart is not None:
        setattr(request, _CACHE_ATTR, cart)
    return cart


def _shop(request: HttpRequest) -> ShopInfo | None:
    """The request's shop (``shops.middleware``): carts belong to the shop they were filled on."""
    return getattr(request, "shop", None)


def _shop_id(request: HttpRequest) -> int | None:
    shop = _shop(request)
    return shop.id if shop is not None else None


def session_cart(request: HttpRequest) -> Cart | None:
    token = parse_token(request.session.get(SESSION_KEY))
    if token is None:
        return None
    return order_selectors.open_anonymous_cart(token, shop=_shop(request))


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
    cart_services.claim_cart(source=source, user=user)


def customer_group(user: User | AnonymousUser | None) -> CustomerGroup | None:
    """The price group of a signed-in customer (B2B price lists), None for everybody else."""
    return customer_group_for(user)


def item_count(request: HttpRequest) -> int:
    """How many units the request's open cart holds (the header's badge): one query, 0 without a cart."""
    if not hasattr(request, "session"):
        return 0
    found = get_cart(request)
    return order_selectors.cart_item_count(found) if found is not None else 0


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
