"""Web orders orphaned before any payment went through are cancelled once their stock hold ran out.

The sweeper runs at a chosen ``now``: 31 minutes after placing is past the 15 min checkout hold plus
the 15 min grace (``CHECKOUT_RESERVATION_TTL_SECONDS`` + ``CHECKOUT_ABANDON_GRACE_SECONDS``).
"""

import datetime as dt
import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from inventory import services as inventory
from orders import tasks
from orders.models import DeliveryMethod, Order, OrderStatus, OrderStatusChange
from orders.services.abandoned import NEVER_STARTED, NEVER_SUCCEEDED, cancel_abandoned_orders
from payments import services as payments
from payments.errors import OrderNotPayable, ProviderError
from payments.models import Payment, PaymentStatus, RefundStatus
from payments.providers.test import TestProvider
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import ledger, level, place, reasons, refunds_made

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(minutes=31)


def trail(order) -> list[tuple[str, str, str]]:
    rows = OrderStatusChange.objects.filter(order=order).order_by("created_at", "id")
    return [(row.from_status, row.to_status, row.note) for row in rows]


def status(order) -> str:
    return Order.objects.get(pk=order.pk).status


def start_payment(order):
    return payments.start_payment(order=order, provider="test", return_url="/done/", cancel_url="/cancel/")


def test_an_order_whose_payment_never_started_is_cancelled_once_and_its_stock_released(shop):
    order = place(shop, method=DeliveryMethod.HOME, tees=2, mugs=1)
    assert level(shop.tee, shop.aja) == (5, 2)

    assert cancel_abandoned_orders(now=timezone.now() + LATER) == 1
    assert cancel_abandoned_orders(now=timezone.now() + LATER) == 0  # run twice: nothing more

    assert status(order) == OrderStatus.CANCELLED
    assert trail(order) == [
        ("", OrderStatus.PENDING_PAYMENT, "placed"),
        (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, NEVER_STARTED),
    ]
    assert level(shop.tee, shop.aja) == (5, 0) and level(shop.mug, shop.aja) == (3, 0)
    assert ledger(shop.tee, shop.aja) == (5, 0)
    assert reasons(shop.tee, shop.aja) == [("reservation_taken", 0, 2), ("reservation_released", 0, -2)]
    assert Payment.objects.count() == 0


def test_a_hold_the_expiry_task_already_released_is_not_released_twice(shop):
    order = place(shop, method=DeliveryMethod.HOME, tees=2, mugs=0)
    assert inventory.release_expired_reservations(now=timezone.now() + LATER) == 1

    assert cancel_abandoned_orders(now=timezone.now() + LATER) == 1

    assert status(order) == OrderStatus.CANCELLED
    assert level(shop.tee, shop.aja) == (5, 0)
    assert reasons(shop.tee, shop.aja) == [("reservation_taken", 0, 2), ("reservation_expired", 0, -2)]


def test_a_fresh_order_is_left_alone(shop):
    order = place(shop)

    assert cancel_abandoned_orders() == 0
    assert cancel_abandoned_orders(now=timezone.now() + dt.timedelta(minutes=29)) == 0  # within the grace

    assert status(order) == OrderStatus.PENDING_PAYMENT
    assert level(shop.tee, shop.aja) == (5, 2)


def test_an_order_whose_hold_is_still_active_is_left_alone(shop):
    order = place(shop, tees=1, mugs=0)
    inventory.extend_many(
        reservations=[line.reservation for line in order.lines.all()],
        expires_at=timezone.now() + dt.timedelta(hours=2),
    )

    assert cancel_abandoned_orders(now=timezone.now() + LATER) == 0
    assert status(order) == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize("payment_status", [PaymentStatus.PENDING, PaymentStatus.AUTHORIZED])
def test_an_order_whose_payment_is_in_progress_at_the_provider_is_left_alone(shop, payment_status):
    order = place(shop, method=DeliveryMethod.HOME, tees=2, mugs=0)
    started = start_payment(order)
    Payment.objects.filter(pk=started.payment_id).update(status=payment_status)  # what the provider said

    assert cancel_abandoned_orders(now=timezone.now() + LATER) == 0

    assert status(order) == OrderStatus.PENDING_PAYMENT
    assert Payment.objects.get().status == payment_status
    assert len(trail(order)) == 1


def test_a_failed_attempt_does_not_keep_an_order_and_a_late_success_is_refunded(shop, monkeypatch):
    order = place(shop, method=DeliveryMethod.HOME, tees=2, mugs=0)

    def provider_down(self, payment):
        raise ProviderError(detail={"provider": "test", "error": "timeout"})

    with monkeypatch.context() as patch:
        patch.setattr(TestProvider, "create", provider_down)
        with pytest.raises(ProviderError):
            start_payment(order)
    failed = Payment.objects.get()
    assert (failed.status, status(order)) == (PaymentStatus.FAILED, OrderStatus.PENDING_PAYMENT)

    assert cancel_abandoned_orders(now=timezone.now() + LATER) == 1
    assert trail(order)[-1] == (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, NEVER_SUCCEEDED)

    # The provider confirms the attempt after all: the money is taken and given back, the order
    # stays cancelled and its units stay on the shelf.
    payments.confirm_test_payment(payment_id=failed.pk, succeed=True)

    assert status(order) == OrderStatus.CANCELLED
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert [(number, status_) for number, _, status_, _ in refunds_made()] == [
        (order.number, RefundStatus.SUCCEEDED)
    ]
    assert level(shop.tee, shop.aja) == (5, 0)


def test_a_payment_started_after_the_cancellation_is_refused_and_writes_nothing(shop):
    order = place(shop, tees=1, mugs=0)
    cancel_abandoned_orders(now=timezone.now() + LATER)

    with pytest.raises(OrderNotPayable):
        start_payment(order)

    assert Payment.objects.count() == 0
    assert status(order) == OrderStatus.CANCELLED


def test_store_sales_are_never_swept(shop):
    order = place(shop, tees=1, mugs=0)
    Order.objects.filter(pk=order.pk).update(channel="pos")

    assert cancel_abandoned_orders(now=timezone.now() + LATER) == 0


def test_the_beat_task_and_the_command_run_the_sweeper(shop, settings, eager_celery):
    entry = settings.CELERY_BEAT_SCHEDULE["cancel-abandoned-orders"]
    assert entry == {"task": "orders.tasks.cancel_abandoned_orders", "schedule": 300.0}
    first, second = place(shop, tees=1, mugs=0), place(shop, tees=1, mugs=0)
    Order.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=timezone.now() - LATER)
    assert inventory.release_expired_reservations(now=timezone.now() + LATER) == 2

    out = io.StringIO()
    call_command("cancel_abandoned_orders", "--limit", "1", stdout=out)
    assert out.getvalue() == "1 abandoned order(s) cancelled.\n"
    assert tasks.cancel_abandoned_orders.delay().get() == 1
    assert tasks.cancel_abandoned_orders.delay().get() == 0
    assert {status(first), status(second)} == {OrderStatus.CANCELLED}


# --- the race with a payment started at the same moment (PostgreSQL, real threads) ------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["sweeper", "payment"])
def test_the_sweeper_and_a_payment_starting_at_once_never_leave_a_cancelled_order_with_a_live_payment(
    shop, first
):
    """Both wait on the order's row, locked here; the one queued first wins, the other sees it."""
    import psycopg

    from bench._common import database_url

    order = place(shop, method=DeliveryMethod.HOME, tees=2, mugs=0)
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - LATER)
    inventory.release_expired_reservations(now=timezone.now() + LATER)
    outcomes: dict[str, object] = {}

    def sweep():
        try:
            outcomes["sweeper"] = cancel_abandoned_orders(now=timezone.now() + LATER)
        finally:
            connection.close()

    def pay():
        try:
            outcomes["payment"] = start_payment(order).status
        except OrderNotPayable as exc:
            outcomes["payment"] = exc.code
        finally:
            connection.close()

    url = database_url(connection.settings_dict)
    with psycopg.connect(url, autocommit=True) as observer, psycopg.connect(url) as holder:
        holder.execute("SELECT id FROM orders_order WHERE id = %s FOR UPDATE", [order.pk])

        def waiters() -> int:
            row = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            ).fetchone()
            return int(row[0]) if row else 0

        threads = {"sweeper": threading.Thread(target=sweep), "payment": threading.Thread(target=pay)}
        for expected, name in enumerate([first, "payment" if first == "sweeper" else "sweeper"], start=1):
            threads[name].start()
            deadline = time.monotonic() + 10
            while waiters() < expected and time.monotonic() < deadline:
                time.sleep(0.02)
            assert waiters() == expected
        holder.rollback()
    for thread in threads.values():
        thread.join(timeout=30)

    live = Payment.objects.filter(status__in=[PaymentStatus.PENDING, PaymentStatus.AUTHORIZED]).count()
    if first == "sweeper":
        assert outcomes == {"sweeper": 1, "payment": "order_not_payable"}
        assert (status(order), live) == (OrderStatus.CANCELLED, 0)
    else:
        assert outcomes == {"sweeper": 0, "payment": PaymentStatus.PENDING}
        assert (status(order), live) == (OrderStatus.PENDING_PAYMENT, 1)
