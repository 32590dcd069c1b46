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

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from .errors import OrderNotFound
from .models import Cart, CartStatus, Order, OrderLine, OrderStatus, OrderStatusChange

if TYPE_CHECKING:
    import uuid

    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from catalog.models import Product

PAID_STATUSES = (OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP, OrderStatus.SHIPPED, OrderStatus.COMPLETED)


def orders_for_customer(user: User) -> QuerySet[Order]:
    """The account's orders of every channel, newest first, with ``line_count`` and ``item_count``."""
    if not (user and user.is_authenticated):
        return Order.objects.none()
    return (
        Order.objects.filter(customer=user)
        .select_related("location")
        .annotate(line_count=Count("lines"), item_count=Sum("lines__quantity"))
        .order_by("-created_at", "-id")
    )


def order_for_customer(*, user: User, number: str) -> Order:
    """One of the account's orders with its lines and status trail; ``OrderNotFound`` for an unknown
    number or another customer's order (the same answer, so nothing leaks)."""
    if not (user and user.is_authenticated):
        raise OrderNotFound(detail={"number": number})
    order = (
        Order.objects.filter(customer=user, number=number)
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


def recent_orders_for_customer(user: User, *, limit: int = 3) -> list[Order]:
    """The dashboard's few latest orders: one query."""
    return list(orders_for_customer(user)[:limit])


def is_verified_buyer(*, user: User | AnonymousUser | None, product: Product) -> bool:
    """A signed-in user with a paid (or later) order line for a variant of the product. 1 query."""
    if user is None or not user.is_authenticated:
        return False
    return OrderLine.objects.filter(
        order__customer=user, order__status__in=PAID_STATUSES, variant__product=product
    ).exists()


# --- carts ----------------------------------------------------------------------------------------


def open_cart_of_user(user: User) -> Cart | None:
    """A signed-in shopper's cart: their most recent OPEN one."""
    return Cart.objects.filter(user=user, status=CartStatus.OPEN).order_by("-updated_at", "-id").first()


def open_anonymous_cart(token: uuid.UUID) -> Cart | None:
    """The OPEN cart of nobody in particular with this token (an anonymous session's cart)."""
    return Cart.objects.filter(token=token, status=CartStatus.OPEN, user__isnull=True).first()


# --- staff ----------------------------------------------------------------------------------------


def orders_visible_to(user: User | AnonymousUser | None) -> QuerySet[Order]:
    """The orders a member of staff may see and handle: every order for the chain roles (holders of
    ``inventory.act_on_any_location``: staff, managers); for a store manager (``orders.view_order``
    and a store) the orders of their store: sold or collected there (``Order.location``) or with a
    line reserved there (shipped from there); none for anyone else (cashiers, shoppers)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Order.objects.none()
    if user.has_perm("inventory.act_on_any_location"):
        return Order.objects.all()
    store_id = getattr(user, "store_id", None)
    if store_id and user.has_perm("orders.view_order"):
        shipped_from = OrderLine.objects.filter(order=OuterRef("pk"), reservation__location_id=store_id)
        return Order.objects.filter(Q(location_id=store_id) | Exists(shipped_from))
    return Order.objects.none()
