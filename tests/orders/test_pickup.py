"""Click & collect services: ready for pickup, collected, cancelled when nobody came."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import PermissionDenied
from inventory import services as inventory
from inventory.models import Reservation, ReservationStatus, StockMovement
from orders import services, tasks
from orders.models import DeliveryMethod, Order, OrderStatus, OrderStatusChange
from orders.services import pickup
from orders.services.pickup import NotClickAndCollect, NotReadyForPickup
from payments.models import Payment, PaymentStatus, RefundStatus
from tests.factories import UserFactory, cashier, staff, store_manager
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


def paid(shop, **kwargs):
    return pay_with_test_provider(place(shop, **kwargs))


def state(order):
    return (
        Order.objects.get(pk=order.pk).status,
        OrderStatusChange.objects.filter(order=order).count(),
        sorted(Reservation.objects.filter(reference=order.number).values_list("status", "expires_at")),
        StockMovement.objects.count(),
    )


@pytest.mark.parametrize("who", ["cashier", "store_manager", "national_staff"])
def test_store_staff_or_national_staff_mark_an_order_ready(shop, who):
    user = {
        "cashier": lambda: cashier(shop.aja),
        "store_manager": lambda: store_manager(shop.aja),
        "national_staff": lambda: staff(),
    }[who]()
    order = paid(shop)

    result = pickup.mark_ready_for_pickup(order=order, user=user)

    assert result.status == OrderStatus.READY_FOR_PICKUP
    change = OrderStatusChange.objects.filter(order=order).last()
    assert (change.from_status, change.to_status, change.user) == (
        OrderStatus.PAID,
        OrderStatus.READY_FOR_PICKUP,
        user,
    )
    assert pickup.ready_at(order) == change.created_at
    assert pickup.pickup_deadline(order) == change.created_at + 7 * DAY
    assert level(shop.tee, shop.aja) == (5, 2)


@pytest.mark.parametrize("who", ["other_store_cashier", "shopper", "anonymous"])
def test_anyone_else_is_refused_and_nothing_changes(shop, who):
    from django.contrib.auth.models import AnonymousUser

    user = {
        "other_store_cashier": lambda: cashier(shop.bas),
        "shopper": lambda: UserFactory(),
        "anonymous": AnonymousUser,
    }[who]()
    order = paid(shop)
    before = state(order)

    with pytest.raises(PermissionDenied) as caught:
        pickup.mark_ready_for_pickup(order=order, user=user)
    assert caught.value.detail == {"number": order.number, "location": "AJA"}
    with pytest.raises(PermissionDenied):
        pickup.collect_order(order=order, user=user)
    assert state(order) == before


def test_a_home_delivery_order_cannot_be_marked_ready_or_collected(shop):
    order = paid(shop, method=DeliveryMethod.HOME)
    before = state(order)
    with pytest.raises(NotClickAndCollect) as caught:
        pickup.mark_ready_for_pickup(order=order, user=staff())
    assert caught.value.code == "not_click_and_collect" and caught.value.http_status == 409
    with pytest.raises(NotClickAndCollect):
        pickup.collect_order(order=order, user=staff())
    assert state(order) == before


def test_an_unpaid_order_cannot_be_marked_ready(shop):
    order = place(shop)
    before = state(order)
    with pytest.raises(services.InvalidTransition):
        pickup.mark_ready_for_pickup(order=order, user=cashier(shop.aja))
    assert state(order) == before


def test_collecting_sells_the_reserved_units(shop):
    clerk = cashier(shop.aja)
    order = pickup.mark_ready_for_pickup(order=paid(shop, tees=2, mugs=1), user=clerk)

    result = pickup.collect_order(order=order, user=clerk)

    assert result.status == OrderStatus.COMPLETED
    assert level(shop.tee, shop.aja) == (3, 0) and level(shop.mug, shop.aja) == (2, 0)
    assert reasons(shop.tee, shop.aja) == [("reservation_taken", 0, 2), ("reservation_committed", -2, -2)]
    assert ledger(shop.tee, shop.aja) == (3, 0) and ledger(shop.mug, shop.aja) == (2, 0)
    committed = StockMovement.objects.filter(reason="reservation_committed")
    assert {(m.reference, m.user) for m in committed} == {(order.number, clerk)}
    change = OrderStatusChange.objects.filter(order=order).last()
    assert (change.to_status, change.user, change.note) == (OrderStatus.COMPLETED, clerk, "collected")


@pytest.mark.parametrize("ready", [False, True])
def test_collecting_an_order_not_ready_or_already_collected_is_refused(shop, ready):
    clerk = cashier(shop.aja)
    order = paid(shop)
    if ready:
        pickup.mark_ready_for_pickup(order=order, user=clerk)
        pickup.collect_order(order=order, user=clerk)
    before = state(order)

    with pytest.raises(NotReadyForPickup) as caught:
        pickup.collect_order(order=order, user=clerk)

    assert caught.value.detail["status"] == (OrderStatus.COMPLETED if ready else OrderStatus.PAID)
    assert state(order) == before


def test_uncollected_orders_are_cancelled_released_refunded_and_told_after_the_pickup_days(
    shop, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.CLICK_COLLECT_PICKUP_DAYS = 3
    clerk = cashier(shop.aja)
    waiting = pickup.mark_ready_for_pickup(order=paid(shop, tees=2, mugs=1, language="en"), user=clerk)
    collected = pickup.mark_ready_for_pickup(order=paid(shop, tees=1, mugs=0), user=clerk)
    pickup.collect_order(order=collected, user=clerk)
    ready_time = pickup.ready_at(waiting)
    mail.outbox.clear()

    # Not yet: a minute before the deadline nothing moves.
    assert pickup.cancel_uncollected_orders(now=ready_time + 3 * DAY - dt.timedelta(minutes=1)) == 0
    assert Order.objects.get(pk=waiting.pk).status == OrderStatus.READY_FOR_PICKUP

    with django_capture_on_commit_callbacks(execute=True):
        assert pickup.cancel_uncollected_orders(now=ready_time + 3 * DAY) == 1

    assert Order.objects.get(pk=waiting.pk).status == OrderStatus.CANCELLED
    assert Order.objects.get(pk=collected.pk).status == OrderStatus.COMPLETED
    assert level(shop.tee, shop.aja) == (4, 0) and level(shop.mug, shop.aja) == (3, 0)
    assert reasons(shop.tee, shop.aja)[-1] == ("reservation_released", 0, -2)
    assert set(Reservation.objects.filter(reference=waiting.number).values_list("status", flat=True)) == {
        ReservationStatus.RELEASED
    }
    assert refunds_made() == [
        (waiting.number, Decimal("31.00"), RefundStatus.SUCCEEDED, "not collected within 3 days")
    ]
    assert dict(Payment.objects.values_list("order__number", "status")) == {
        waiting.number: PaymentStatus.REFUNDED,
        collected.number: PaymentStatus.CAPTURED,
    }
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([waiting.email], f"Your order {waiting.number} has been cancelled")
    ]
    assert "It was not collected at Ajaccio within 3 days of being ready." in mail.outbox[0].body
    change = OrderStatusChange.objects.filter(order=waiting).last()
    assert (change.from_status, change.to_status, change.user) == (
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.CANCELLED,
        None,
    )

    # Idempotent: the next run finds nothing, refunds and tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert pickup.cancel_uncollected_orders(now=ready_time + 4 * DAY) == 0
    assert len(refunds_made()) == 1 and len(mail.outbox) == 1


def test_the_beat_task_cancels_through_the_service(shop, eager_celery, django_capture_on_commit_callbacks):
    order = pickup.mark_ready_for_pickup(order=paid(shop), user=staff())
    OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.READY_FOR_PICKUP).update(
        created_at=timezone.now() - 8 * DAY
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.cancel_uncollected_orders.delay().get() == 1
        assert tasks.cancel_uncollected_orders.delay().get() == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert refunds_made() == [
        (order.number, Decimal("31.00"), RefundStatus.SUCCEEDED, "not collected within 7 days")
    ]
    assert inventory.release_expired_reservations(now=timezone.now() + 30 * DAY) == 0


def test_the_refund_task_retries_until_payments_answers(shop, eager_celery, monkeypatch):
    from payments.providers.test import TestProvider

    order = pickup.mark_ready_for_pickup(order=paid(shop), user=staff())
    services.transition_order(order=order, to_status=OrderStatus.CANCELLED)
    answers = iter([ConnectionError("provider down"), None])
    provider_refund = TestProvider.refund

    def flaky(self, payment, amount, *, idempotency_key):  # the provider's side: down, then back
        if (error := next(answers)) is not None:
            raise error
        return provider_refund(self, payment, amount, idempotency_key=idempotency_key)

    monkeypatch.setattr(TestProvider, "refund", flaky)
    # apply(throw=False): Celery's eager mode then runs the retry the way a worker would.
    result = tasks.refund_cancelled_order.apply(kwargs={"order_id": order.pk, "reason": "r"}, throw=False)
    assert result.get() is True and result.state == "SUCCESS"
    assert next(answers, "asked twice") == "asked twice"
    assert refunds_made() == [(order.number, Decimal("31.00"), RefundStatus.SUCCEEDED, "r")]
    assert Payment.objects.get(order=order).status == PaymentStatus.REFUNDED


def test_the_beat_schedule_runs_the_cancellation_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["cancel-uncollected-orders"]
    assert entry == {"task": "orders.tasks.cancel_uncollected_orders", "schedule": 3600.0}
    entry = settings.CELERY_BEAT_SCHEDULE["renew-pickup-holds"]
    assert entry == {"task": "orders.tasks.renew_pickup_holds", "schedule": 3600.0}
    assert settings.CLICK_COLLECT_PICKUP_DAYS == 7


def test_a_paid_order_the_store_has_not_prepared_keeps_its_units(shop):
    order = paid(shop, tees=2, mugs=1)
    home = paid(shop, tees=1, mugs=0, method=DeliveryMethod.HOME)  # committed: nothing to hold
    unpaid = place(shop, tees=1, mugs=0)
    first_hold = Reservation.objects.filter(reference=order.number).first().expires_at
    seven_days_on = timezone.now() + 7 * DAY + dt.timedelta(hours=1)  # the hold ends within a day

    assert pickup.renew_pickup_holds(now=seven_days_on) == 2
    assert pickup.renew_pickup_holds(now=seven_days_on) == 0  # re-runnable
    assert tasks.renew_pickup_holds.run() == 0

    holds = set(Reservation.objects.filter(reference=order.number).values_list("expires_at", flat=True))
    assert holds == {pickup.hold_until(seven_days_on)} and first_hold < pickup.hold_until(seven_days_on)
    assert inventory.release_expired_reservations(now=seven_days_on + 2 * DAY) == 1  # only the unpaid one
    assert Reservation.objects.get(reference=unpaid.number).status == ReservationStatus.EXPIRED
    assert level(shop.tee, shop.aja) == (4, 2) and level(shop.mug, shop.aja) == (3, 1)
    assert Order.objects.get(pk=home.pk).status == OrderStatus.PAID
    pickup.mark_ready_for_pickup(order=order, user=staff())  # the store catches up: still possible
    assert Order.objects.get(pk=order.pk).status == OrderStatus.READY_FOR_PICKUP
