"""Real threads on PostgreSQL: a hand-over racing the uncollected-order sweep, a task delivered twice."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from inventory.models import StockMovement
from inventory.selectors import check_ledger
from orders import notifications
from orders.models import NotificationLog, Order, OrderStatus, OrderStatusChange
from orders.services import pickup
from payments.models import Payment, PaymentStatus, RefundStatus
from tests.concurrency import in_threads, run_in_threads
from tests.factories import cashier
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import DAY, ledger, level, pay_with_test_provider, place, refunds_made

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def ready_order(shop):
    clerk = cashier(shop.aja)
    order = pay_with_test_provider(place(shop, tees=2, mugs=1))
    order = pickup.mark_ready_for_pickup(order=order, user=clerk)
    OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.READY_FOR_PICKUP).update(
        created_at=timezone.now() - 7 * DAY - DAY
    )
    return order, clerk


def test_a_hand_over_racing_the_sweep_ends_one_way_only(shop, eager_celery):
    order, clerk = ready_order(shop)

    def work(i):
        if i == 0:
            return ("collect", pickup.collect_order(order=order, user=clerk).status)
        return ("sweep", pickup.cancel_uncollected_orders())

    outcomes = run_in_threads(2, work)
    results = [o for o in outcomes if not isinstance(o, Exception)]
    errors = [o for o in outcomes if isinstance(o, Exception)]

    final = Order.objects.get(pk=order.pk).status
    if final == OrderStatus.COMPLETED:  # the cashier won: the sweep found nothing to cancel
        assert ("sweep", 0) in results and errors == []
        assert level(shop.tee, shop.aja) == (3, 0) and level(shop.mug, shop.aja) == (2, 0)
        assert refunds_made() == []
        assert Payment.objects.get(order=order).status == PaymentStatus.CAPTURED
    else:  # the sweep won: the hand-over is refused cleanly
        assert final == OrderStatus.CANCELLED and ("sweep", 1) in results
        assert [e.code for e in errors] == ["not_ready_for_pickup"]
        assert level(shop.tee, shop.aja) == (5, 0) and level(shop.mug, shop.aja) == (3, 0)
        assert refunds_made() == [
            (order.number, Decimal("31.00"), RefundStatus.SUCCEEDED, "not collected within 7 days")
        ]
        assert Payment.objects.get(order=order).status == PaymentStatus.REFUNDED
    assert ledger(shop.tee, shop.aja)[0] == level(shop.tee, shop.aja)[0]
    assert (
        StockMovement.objects.filter(reason__in=["reservation_committed", "reservation_released"]).count()
        == 2
    )
    assert OrderStatusChange.objects.filter(order=order).count() == 4  # placed, paid, ready, final
    assert check_ledger().ok


def test_the_same_email_task_delivered_twice_at_once_sends_one_email(shop, eager_celery):
    order, _ = ready_order(shop)  # committed: its e-mails already went out (eager Celery) ...
    NotificationLog.objects.all().delete()  # ... so forget them: the race starts from a fresh log
    mail.outbox.clear()

    results = in_threads(
        4, lambda i: notifications.send_order_email(order_id=order.pk, kind="ready_for_pickup")
    )

    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1
    assert NotificationLog.objects.get(order=order, kind="ready_for_pickup", channel="email").attempts == 1
