"""Order reads for the customer portal and the orders API.

Every order of every channel that is linked to the account: web orders and store purchases
(``channel="store"``) alike, newest first. Each selector runs a fixed number of queries whatever
the number of orders or lines (the tests pin them):

- ``orders_for_customer(user)``: one query (orders + location, with the number of lines and units
  annotated); paginating it adds the COUNT.
- ``order_for_customer(user=..., number=...)``: three queries (the order with its location, its
  lines with their variants' products, its status trail).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.admin_scope import sees_every_store
from shops.selectors import default_shop, rows_of_shop, shop_ids_for_staff

from .errors import OrderNotFound
from .models import Cart, CartStatus, Order, OrderLine, OrderStatus, OrderStatusChange

if TYPE_CHECKING:
    import uuid

    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from catalog.models import Product
    from shops.selectors import ShopInfo

PAID_STATUSES = (OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP, OrderStatus.SHIPPED, OrderStatus.COMPLETED)


def orders_for_customer(user: User, *, shop: ShopInfo | None = None) -> QuerySet[Order]:
    """The account's orders of every channel, newest first, with ``line_count`` and ``item_count``.
    ``shop``: only that shop's web orders (the default shop also shows the stores' and older ones):
    an account's history on one brand shows nothing bought on another."""
    if not (user and user.is_authenticated):
        return Order.objects.none()
    return (
        Order.objects.filter(rows_of_shop(shop), customer=user)
        .select_related("location")
        .annotate(line_count=Count("lines"), item_count=Sum("lines__quantity"))
        .order_by("-created_at", "-id")
    )


def order_for_customer(*, user: User, number: str, shop: ShopInfo | None = None) -> Order:
    """One of the account's orders with its lines and status trail; ``OrderNotFound`` for an unknown
    number, another customer's order or (``shop`` given) another shop's (the same answer, so nothing
    leaks)."""
    if not (user and user.is_authenticated):
        raise OrderNotFound(detail={"number": number})
    order = (
        Order.objects.filter(rows_of_shop(shop), customer=user, number=number)
        .select_related("location")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("variant__product").order_by("id")),
            Prefetch("status_changes", queryset=OrderStatusChange.objects.order_by("created_at", "id")),
        )
        .first()
    )
    if order is None:
        raise OrderNotFound(
            _("No order %(number)s in your account.") % {"number": number}, detail={"number": number}
        )
    return order


def recent_orders_for_customer(user: User, *, limit: int = 3, shop: ShopInfo | None = None) -> list[Order]:
    """The dashboard's few latest orders: one query."""
    return list(orders_for_customer(user, shop=shop)[:limit])


def is_verified_buyer(*, user: User | AnonymousUser | None, product: Product) -> bool:
    """A signed-in user with a paid (or later) order line for a variant of the product. 1 query."""
    if user is None or not user.is_authenticated:
        return False
    return OrderLine.objects.filter(
        order__customer=user, order__status__in=PAID_STATUSES, variant__product=product
    ).exists()


# --- carts ----------------------------------------------------------------------------------------


def open_cart_of_user(user: User, *, shop: ShopInfo | None = None) -> Cart | None:
    """A signed-in shopper's cart: their most recent OPEN one (on ``shop``: a cart belongs to the shop
    it was filled on; none given: on any shop)."""
    cart = (
        Cart.objects.filter(rows_of_shop(shop), user=user, status=CartStatus.OPEN)
        .order_by("-updated_at", "-id")
        .first()
    )
    if cart is not None:
        cart.user = user  # the caller's instance: what was looked up about the user (company) is kept
    return cart


def cart_item_count(cart: Cart) -> int:
    """How many units a cart holds, all lines together."""
    return cart.lines.aggregate(n=Sum("quantity"))["n"] or 0


def open_anonymous_cart(token: uuid.UUID, *, shop: ShopInfo | None = None) -> Cart | None:
    """The OPEN cart of nobody in particular with this token (an anonymous session's cart), on ``shop``."""
    return Cart.objects.filter(
        rows_of_shop(shop), token=token, status=CartStatus.OPEN, user__isnull=True
    ).first()


# --- who sees which orders (back office, admin, API) -----------------------------------------------


def in_staff_shops(queryset: QuerySet[Any], user: object) -> QuerySet[Any]:
    """Orders or carts of the shops ``user`` is limited to (``shops.StaffShopAccess``); all of them for
    staff without a limit. The default shop's also takes the rows from before shops (no shop). 0-1 query."""
    shop_ids = shop_ids_for_staff(user)
    if shop_ids is None:
        return queryset
    allowed = Q(shop_id__in=shop_ids)
    default = default_shop()
    if default.id in shop_ids:
        allowed |= Q(shop__isnull=True)
    return queryset.filter(allowed)


def orders_visible_to(user: User | AnonymousUser | None) -> QuerySet[Order]:
    """The orders a member of staff may open on the order screens (back office, admin, staff API).

    The one rule: chain roles (superusers and holders of ``inventory.act_on_any_location``: staff,
    managers) see every order; a store manager (``orders.view_order`` and a ``user.store``) sees the
    orders of their store: sold or collected there (the order's location), or shipped from there
    (a line's stock is reserved there: shipments leave from the lines' reservation locations); anyone
    else (a cashier, a shopper, an anonymous visitor) sees none. The queryset is plain (no joins, no
    duplicates), so callers filter, annotate and paginate it freely.
    """
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return Order.objects.none()  # the order screens are staff pages (roles with them are is_staff)
    if not user.has_perm("orders.view_order"):
        return Order.objects.none()
    if sees_every_store(user):
        return Order.objects.all()
    store_id = getattr(user, "store_id", None)
    if store_id is None:
        return Order.objects.none()
    shipped_from_store = OrderLine.objects.filter(order=OuterRef("pk"), reservation__location_id=store_id)
    return Order.objects.filter(Q(location_id=store_id) | Exists(shipped_from_store))


def sees_every_order(user: User | AnonymousUser | None) -> bool:
    """A chain role: ``orders_visible_to`` is every order (the pages show the store filter, etc.)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff
        and sees_every_store(user)
        and user.has_perm("orders.view_order")
    )


def may_use_order_screens(user: User | AnonymousUser | None) -> bool:
    """Who opens the back-office order screens at all: staff with ``orders.view_order`` (a store
    manager without a store opens them and sees nothing)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("orders.view_order")
    )


def _readable(user: User | AnonymousUser) -> QuerySet[Order]:
    if not user.is_staff:
        return Order.objects.filter(customer_id=user.pk)  # a shopper: no permission lookups
    if sees_every_order(user):
        return Order.objects.all()
    return Order.objects.filter(Q(customer_id=user.pk) | Q(pk__in=orders_visible_to(user).values("pk")))


def orders_readable_by(user: User | AnonymousUser | None) -> QuerySet[Order]:
    """The orders API's list: the caller's own orders plus those ``orders_visible_to`` them (a
    shopper: their own; a store manager: also their store's; staff: every order). Newest first, with
    ``line_count`` and ``item_count``; one query (plus the paginator's COUNT)."""
    if user is None or not user.is_authenticated:
        return Order.objects.none()
    readable = _readable(user)
    return (
        readable.select_related("location")
        .annotate(line_count=Count("lines"), item_count=Sum("lines__quantity"))
        .order_by("-created_at", "-id")
    )


def order_readable_by(*, user: User | AnonymousUser | None, number: str) -> Order:
    """One order of ``orders_readable_by(user)`` with its lines and status trail (three queries);
    ``OrderNotFound`` for an unknown number and for an order out of reach alike."""
    if user is None or not user.is_authenticated:
        raise OrderNotFound(detail={"number": number})
    readable = _readable(user)
    order = (
        readable.filter(number=number)
        .select_related("location")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("variant__product").order_by("id")),
            Prefetch("status_changes", queryset=OrderStatusChange.objects.order_by("created_at", "id")),
        )
        .first()
    )
    if order is None:
        raise OrderNotFound(
            _("No order %(number)s in your account.") % {"number": number}, detail={"number": number}
        )
    return order


def units_sold_by_category(*, since: dt.datetime, limit: int) -> list[tuple[int, int]]:
    """``(category id, units)`` of the products sold since ``since`` on every channel (orders paid or
    further, cancelled, refunded and unpaid ones left out), most first. 1 query: the "popular
    categories" of an empty search."""
    sold = [OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP, OrderStatus.SHIPPED, OrderStatus.COMPLETED]
    rows = (
        OrderLine.objects.filter(order__created_at__gte=since, order__status__in=sold)
        .values("variant__product__category_id")
        .annotate(units=Sum("quantity"))
        .order_by("-units", "variant__product__category_id")[:limit]
    )
    return [(row["variant__product__category_id"], row["units"]) for row in rows]
