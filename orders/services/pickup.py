"""Click & collect: from paid to ready at the store, collected, or cancelled when nobody came.

The stock story of a click & collect order (the moves themselves happen in ``transition_order``):

- placed: each line's units are reserved at the pickup store (``place_web_order``);
- paid: the reservations stay active, their ``expires_at`` moved to ``hold_until(now)`` so the
  expiry beat task (``release_expired_reservations``) leaves them alone; ``renew_pickup_holds``
  (beat, hourly) keeps renewing them while the store has not prepared the order;
- ready for pickup (``mark_ready_for_pickup``): the hold moves again to ``hold_until(ready time)``
  and the shopper gets an e-mail and a text message;
- collected (``collect_order``): the reservations are committed, the units are sold;
- not collected within ``CLICK_COLLECT_PICKUP_DAYS`` of being ready (``cancel_uncollected_orders``,
  run by beat): cancelled, reservations released, the payment refunded after commit, an e-mail sent.

``hold_until`` adds a day of grace to the pickup window, so the hourly cancellation always runs
before the expiry task would release the units of an order that is still waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from core.errors import PermissionDenied
from inventory.permissions import can_act_at

from ..errors import NotClickAndCollect, NotReadyForPickup
from ..models import DeliveryMethod, Order, OrderStatus, OrderStatusChange
from .placing import transition_order

if TYPE_CHECKING:
    from accounts.models import User
    from payments.models import Refund

PICKUP_HOLD_GRACE = dt.timedelta(days=1)


def pickup_window() -> dt.timedelta:
    return dt.timedelta(days=settings.CLICK_COLLECT_PICKUP_DAYS)


def hold_until(start: dt.datetime) -> dt.datetime:
    """How long the reservations of a click & collect order are held from ``start``."""
    return start + pickup_window() + PICKUP_HOLD_GRACE


def ready_at(order: Order) -> dt.datetime | None:
    """When the order last became ready for pickup (from its audit trail)."""
    return (
        OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.READY_FOR_PICKUP)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )


def pickup_deadline(order: Order) -> dt.datetime | None:
    """The shopper may collect until then; afterwards ``cancel_uncollected_orders`` cancels."""
    ready = ready_at(order)
    return ready + pickup_window() if ready else None


@transaction.atomic
def mark_ready_for_pickup(*, order: Order, user: User) -> Order:
    """The store has put the order aside: paid -> ready for pickup, the shopper is told (e-mail, SMS).

    Only staff of the pickup store (cashiers, store managers) or national staff may do it."""
    _ensure_may_handle(order, user)
    return transition_order(order=order, to_status=OrderStatus.READY_FOR_PICKUP, user=user, note="ready")


@transaction.atomic
def collect_order(*, order: Order, user: User) -> Order:
    """The shopper took the parcel: ready for pickup -> completed, the reserved units are sold."""
    _ensure_may_handle(order, user)
    status = Order.objects.select_for_update().values_list("status", flat=True).get(pk=order.pk)
    if status != OrderStatus.READY_FOR_PICKUP:
        raise NotReadyForPickup(
            f"Order {order.number} is {OrderStatus(status).label.lower()}, not ready for pickup.",
            detail={"number": order.number, "status": status},
        )
    return transition_order(order=order, to_status=OrderStatus.COMPLETED, user=user, note="collected")


def cancel_uncollected_orders(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Cancel click & collect orders ready for longer than CLICK_COLLECT_PICKUP_DAYS. Re-runnable.

    Each order in its own short transaction; ``transition_order`` releases the reservations and,
    after commit, refunds the payment and e-mails the shopper. Returns how many were cancelled."""
    now = now or timezone.now()
    cutoff = now - pickup_window()
    latest_ready = (
        OrderStatusChange.objects.filter(order=OuterRef("pk"), to_status=OrderStatus.READY_FOR_PICKUP)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    ids = list(
        Order.objects.filter(
            status=OrderStatus.READY_FOR_PICKUP, delivery_method=DeliveryMethod.CLICK_AND_COLLECT
        )
        .annotate(ready_at=Subquery(latest_ready))
        .filter(ready_at__lte=cutoff)
        .order_by("ready_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    cancelled = 0
    for pk in ids:
        with transaction.atomic():
            order = (
                Order.objects.select_for_update().filter(pk=pk, status=OrderStatus.READY_FOR_PICKUP).first()
            )
            if order is None:
                continue  # collected or cancelled meanwhile
            transition_order(
                order=order,
                to_status=OrderStatus.CANCELLED,
                note=f"not collected within {settings.CLICK_COLLECT_PICKUP_DAYS} days",
            )
            cancelled += 1
    return cancelled


def renew_pickup_holds(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Keep holding the units of paid click & collect orders the store has not prepared yet.

    Paid units belong to the shopper: if a store takes longer than the pickup window to mark an order
    ready, its reservations must not lapse to the expiry task. Holds ending within a day move to
    ``hold_until(now)``. Re-runnable (beat, hourly). Returns how many reservations moved."""
    from inventory import services as inventory
    from inventory.models import Reservation, ReservationStatus

    now = now or timezone.now()
    ids = list(
        Reservation.objects.filter(
            status=ReservationStatus.ACTIVE,
            expires_at__lte=now + PICKUP_HOLD_GRACE,
            order_lines__order__status=OrderStatus.PAID,
            order_lines__order__delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
        )
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    # The ones committed or released meanwhile are left out.
    renewed = inventory.extend_many(
        reservations=[Reservation(pk=pk) for pk in ids], expires_at=hold_until(now), only_active=True
    )
    return len(renewed)


def refund_cancelled_order(*, order_id: int, reason: str, user_id: int | None = None) -> Refund | None:
    """Refund what was captured for a cancelled order (``payments.services.refund_order``, idempotent).

    Runs from a Celery task after the cancellation committed, never inside it."""
    from accounts.models import User
    from payments import services as payments

    order = Order.objects.get(pk=order_id)
    if order.status != OrderStatus.CANCELLED:
        return None
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return payments.refund_order(order=order, reason=reason, user=user)


def _ensure_may_handle(order: Order, user: User | None) -> None:
    if order.delivery_method != DeliveryMethod.CLICK_AND_COLLECT:
        raise NotClickAndCollect(
            f"Order {order.number} is not a click & collect order.", detail={"number": order.number}
        )
    location = order.location
    if not can_act_at(user, location, "reserve_stock"):
        raise PermissionDenied(
            f"Only staff of {location.name} may hand over order {order.number}.",
            detail={"number": order.number, "location": location.code},
        )
