"""transition_order: the stock effect of every move, per delivery method, and its audit trail."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory import services as inventory
from inventory.errors import ReservationNotActive
from inventory.models import Reservation, ReservationStatus, StockMovement
from orders import services
from orders.models import DeliveryMethod, Order, OrderStatus, OrderStatusChange
from orders.services import ALLOWED_TRANSITIONS, InvalidTransition
from orders.services.pickup import hold_until
from payments.models import Payment, PaymentStatus, RefundStatus
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import (
    DAY,
    ledger,
    level,
    pay_with_test_provider,
    place,
    reasons,
    refunds_made,
)

pytestmark = pytest.mark.django_db

C_AND_C = DeliveryMethod.CLICK_AND_COLLECT
HOME = DeliveryMethod.HOME


def move(order, *statuses, **kwargs):
    for status in statuses:
        order = services.transition_order(order=order, to_status=status, **kwargs)
    return order


def audit(order) -> list[tuple[str, str]]:
    return [(c.from_status, c.to_status) for c in OrderStatusChange.objects.filter(order=order)]


def test_the_table_lets_a_ready_order_be_cancelled_when_nobody_collects_it():
    assert ALLOWED_TRANSITIONS[OrderStatus.READY_FOR_PICKUP] == {
        OrderStatus.COMPLETED,
        OrderStatus.CANCELLED,
        OrderStatus.REFUNDED,
    }


def test_home_delivery_paid_commits_then_shipped_and_completed_change_no_stock(shop):
    order = place(shop, method=HOME, tees=2, mugs=1)
    assert level(shop.tee, shop.aja) == (5, 2) and level(shop.mug, shop.aja) == (3, 1)

    move(order, OrderStatus.PAID)
    assert level(shop.tee, shop.aja) == (3, 0) and level(shop.mug, shop.aja) == (2, 0)
    assert reasons(shop.tee, shop.aja) == [("reservation_taken", 0, 2), ("reservation_committed", -2, -2)]
    rows = StockMovement.objects.count()

    move(order, OrderStatus.SHIPPED, OrderStatus.COMPLETED)
    assert level(shop.tee, shop.aja) == (3, 0) and level(shop.mug, shop.aja) == (2, 0)
    assert StockMovement.objects.count() == rows
    assert ledger(shop.tee, shop.aja) == (3, 0) and ledger(shop.mug, shop.aja) == (2, 0)
    assert audit(order) == [
        ("", OrderStatus.PENDING_PAYMENT),
        (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID),
        (OrderStatus.PAID, OrderStatus.SHIPPED),
        (OrderStatus.SHIPPED, OrderStatus.COMPLETED),
    ]


def test_home_delivery_cancelled_before_payment_releases(shop):
    order = place(shop, method=HOME, tees=2, mugs=1)
    move(order, OrderStatus.CANCELLED, note="payment declined")
    assert level(shop.tee, shop.aja) == (5, 0) and level(shop.mug, shop.aja) == (3, 0)
    assert reasons(shop.tee, shop.aja) == [("reservation_taken", 0, 2), ("reservation_released", 0, -2)]
    assert OrderStatusChange.objects.filter(order=order).last().note == "payment declined"


def test_click_and_collect_paid_keeps_the_units_reserved_and_holds_them_until_the_pickup_deadline(shop):
    order = place(shop, tees=2, mugs=1)
    before = timezone.now()
    move(order, OrderStatus.PAID)
    after = timezone.now()

    assert level(shop.tee, shop.aja) == (5, 2) and level(shop.mug, shop.aja) == (3, 1)
    assert reasons(shop.tee, shop.aja) == [("reservation_taken", 0, 2)]  # extending is not a stock change
    for reservation in Reservation.objects.filter(reference=order.number):
        assert reservation.status == ReservationStatus.ACTIVE
        assert hold_until(before) <= reservation.expires_at <= hold_until(after)
        assert reservation.expires_at - before >= dt.timedelta(days=8) - dt.timedelta(seconds=5)


def test_click_and_collect_ready_moves_the_hold_and_collected_commits(shop):
    order = place(shop, tees=2, mugs=1)
    move(order, OrderStatus.PAID)
    later = timezone.now() + 2 * DAY
    Reservation.objects.filter(reference=order.number).update(expires_at=later)  # as if paid two days ago

    move(order, OrderStatus.READY_FOR_PICKUP)
    assert level(shop.tee, shop.aja) == (5, 2)
    assert all(
        r.expires_at >= timezone.now() + 8 * DAY - dt.timedelta(seconds=5)
        for r in Reservation.objects.filter(reference=order.number)
    )

    move(order, OrderStatus.COMPLETED)
    assert level(shop.tee, shop.aja) == (3, 0) and level(shop.mug, shop.aja) == (2, 0)
    assert reasons(shop.tee, shop.aja) == [("reservation_taken", 0, 2), ("reservation_committed", -2, -2)]
    assert reasons(shop.mug, shop.aja) == [("reservation_taken", 0, 1), ("reservation_committed", -1, -1)]
    assert ledger(shop.tee, shop.aja) == (3, 0) and ledger(shop.mug, shop.aja) == (2, 0)
    assert set(Reservation.objects.filter(reference=order.number).values_list("status", flat=True)) == {
        ReservationStatus.COMMITTED
    }
    assert audit(order)[1:] == [
        (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID),
        (OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP),
        (OrderStatus.READY_FOR_PICKUP, OrderStatus.COMPLETED),
    ]


def test_click_and_collect_ready_then_cancelled_releases_and_refunds_after_commit(
    shop, eager_celery, django_capture_on_commit_callbacks
):
    order = pay_with_test_provider(place(shop, tees=2, mugs=1))
    move(order, OrderStatus.READY_FOR_PICKUP)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        move(order, OrderStatus.CANCELLED, note="shopper asked")
    assert refunds_made() == []  # nothing reaches the payment provider before the commit
    assert Payment.objects.get(order=order).status == PaymentStatus.CAPTURED
    assert level(shop.tee, shop.aja) == (5, 0) and level(shop.mug, shop.aja) == (3, 0)
    assert reasons(shop.tee, shop.aja) == [("reservation_taken", 0, 2), ("reservation_released", 0, -2)]

    for callback in callbacks:
        callback()
    assert refunds_made() == [(order.number, Decimal("31.00"), RefundStatus.SUCCEEDED, "shopper asked")]
    assert Payment.objects.get(order=order).status == PaymentStatus.REFUNDED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def test_click_and_collect_paid_then_refunded_releases_the_held_units(shop):
    order = place(shop, tees=1, mugs=0)
    move(order, OrderStatus.PAID, OrderStatus.REFUNDED)
    assert level(shop.tee, shop.aja) == (5, 0)
    assert reasons(shop.tee, shop.aja) == [("reservation_taken", 0, 1), ("reservation_released", 0, -1)]


def test_cancelling_an_unpaid_order_refunds_nothing(shop, eager_celery, django_capture_on_commit_callbacks):
    order = place(shop, tees=1, mugs=0)
    with django_capture_on_commit_callbacks(execute=True):
        move(order, OrderStatus.CANCELLED)
    assert refunds_made() == [] and level(shop.tee, shop.aja) == (5, 0)


@pytest.mark.parametrize(
    ("method", "path", "refused"),
    [
        (HOME, [OrderStatus.PAID], OrderStatus.READY_FOR_PICKUP),  # a parcel is not collected
        (C_AND_C, [OrderStatus.PAID], OrderStatus.SHIPPED),  # a pickup is not shipped
        (C_AND_C, [], OrderStatus.READY_FOR_PICKUP),  # not paid yet
        (C_AND_C, [OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP], OrderStatus.PAID),
        (C_AND_C, [OrderStatus.CANCELLED], OrderStatus.PAID),
        (HOME, [OrderStatus.PAID], OrderStatus.CANCELLED),  # paid parcels are refunded, not cancelled
        (HOME, [OrderStatus.PAID, OrderStatus.SHIPPED], OrderStatus.CANCELLED),
    ],
)
def test_a_refused_transition_changes_nothing(shop, method, path, refused):
    order = place(shop, method=method, tees=2, mugs=1)
    move(order, *path)
    snapshot = (
        Order.objects.get(pk=order.pk).status,
        level(shop.tee, shop.aja),
        level(shop.mug, shop.aja),
        StockMovement.objects.count(),
        OrderStatusChange.objects.count(),
        sorted(Reservation.objects.values_list("status", "expires_at")),
    )

    with pytest.raises(InvalidTransition) as caught:
        services.transition_order(order=order, to_status=refused)

    assert caught.value.code == "invalid_transition" and caught.value.http_status == 409
    assert caught.value.detail["to_status"] == refused
    assert snapshot == (
        Order.objects.get(pk=order.pk).status,
        level(shop.tee, shop.aja),
        level(shop.mug, shop.aja),
        StockMovement.objects.count(),
        OrderStatusChange.objects.count(),
        sorted(Reservation.objects.values_list("status", "expires_at")),
    )


def test_collecting_an_order_whose_hold_lapsed_is_refused_and_changes_nothing(shop):
    order = place(shop, tees=2, mugs=1)
    move(order, OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP)
    tee_reservation = Reservation.objects.get(reference=order.number, variant=shop.tee)
    inventory.release_reservation(reservation=tee_reservation, expired=True)  # what a lapsed hold looks like
    rows = StockMovement.objects.count()

    with pytest.raises(ReservationNotActive):
        services.transition_order(order=order, to_status=OrderStatus.COMPLETED)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.READY_FOR_PICKUP
    assert level(shop.tee, shop.aja) == (5, 0) and level(shop.mug, shop.aja) == (3, 1)
    assert StockMovement.objects.count() == rows


def test_the_expiry_task_leaves_a_paid_or_ready_pickup_order_alone(shop):
    order = place(shop, tees=2, mugs=1)
    move(order, OrderStatus.PAID)
    # 15 minutes is the checkout hold; a week later the shopper's units must still be there.
    assert inventory.release_expired_reservations(now=timezone.now() + 7 * DAY) == 0
    move(order, OrderStatus.READY_FOR_PICKUP)
    assert inventory.release_expired_reservations(now=timezone.now() + 7 * DAY + dt.timedelta(hours=23)) == 0
    assert level(shop.tee, shop.aja) == (5, 2) and level(shop.mug, shop.aja) == (3, 1)
    assert set(Reservation.objects.values_list("status", flat=True)) == {ReservationStatus.ACTIVE}


def test_an_unpaid_pickup_order_still_expires_like_any_checkout(shop):
    place(shop, tees=2, mugs=1)
    assert inventory.release_expired_reservations(now=timezone.now() + dt.timedelta(minutes=16)) == 2
    assert level(shop.tee, shop.aja) == (5, 0) and level(shop.mug, shop.aja) == (3, 0)


def test_extend_reservation_only_moves_the_expiry_later_and_refuses_a_closed_hold(shop):
    reservation = inventory.reserve_stock(variant=shop.tee, location=shop.aja, quantity=1, reference="X")
    first = reservation.expires_at
    rows = StockMovement.objects.count()

    later = inventory.extend_reservation(reservation=reservation, expires_at=first + 3 * DAY)
    earlier = inventory.extend_reservation(reservation=reservation, expires_at=first - DAY)

    assert later.expires_at == first + 3 * DAY and earlier.expires_at == first + 3 * DAY
    assert StockMovement.objects.count() == rows and level(shop.tee, shop.aja) == (5, 1)
    inventory.release_reservation(reservation=reservation)
    with pytest.raises(ReservationNotActive):
        inventory.extend_reservation(reservation=reservation, expires_at=first + 9 * DAY)
    assert Reservation.objects.get(pk=reservation.pk).expires_at == first + 3 * DAY
