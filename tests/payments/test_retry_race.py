"""Real threads on PostgreSQL: two payment attempts for one order (issue 16). However they interleave,
the order is paid once, its stock committed once, and the other attempt's money goes back (or the
attempt is refused before any money moves)."""

import pytest

from orders.models import OrderStatus
from orders.services import retry
from payments import services
from payments.errors import OrderNotPayable
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from tests.concurrency import in_threads, run_in_threads

from .conftest import CANCEL_URL, RETURN_URL, level

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_attempts_succeeding_at_once_pay_the_order_once_and_refund_the_other(order, shop):
    first = services.start_payment(order=order, provider="test", return_url=RETURN_URL, cancel_url=CANCEL_URL)
    services.confirm_test_payment(payment_id=first.payment_id, succeed=False)
    order.refresh_from_db()
    second = retry.retry_payment(order=order, provider="test", return_url=RETURN_URL, cancel_url=CANCEL_URL)
    ids = [first.payment_id, second.payment_id]

    # the declined attempt succeeds late (the bank changed its mind) while the retry succeeds
    in_threads(2, lambda i: services.confirm_test_payment(payment_id=ids[i], succeed=True))

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and level(shop) == (3, 0)
    statuses = sorted(Payment.objects.values_list("status", flat=True))
    assert statuses == [PaymentStatus.CAPTURED, PaymentStatus.REFUNDED]
    refund = Refund.objects.get()
    assert (refund.amount, refund.status) == (order.total_gross, RefundStatus.SUCCEEDED)
    assert order.status_changes.filter(to_status=OrderStatus.PAID).count() == 1


def test_a_retry_racing_the_success_of_the_open_attempt_never_pays_twice(order, shop):
    first = services.start_payment(order=order, provider="test", return_url=RETURN_URL, cancel_url=CANCEL_URL)

    def work(i):
        if i == 0:
            return services.confirm_test_payment(payment_id=first.payment_id, succeed=True)
        return services.start_payment(
            order=order, provider="test", return_url=RETURN_URL, cancel_url=CANCEL_URL
        )

    results = run_in_threads(2, work)

    assert not isinstance(results[0], Exception), results[0]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and level(shop) == (3, 0)
    if isinstance(results[1], Exception):  # the success locked the order first: the retry is refused
        assert isinstance(results[1], OrderNotPayable)
        assert Payment.objects.count() == 1
    else:  # the retry started first (superseding the open attempt, whose late success paid the order)
        services.confirm_test_payment(payment_id=results[1].payment_id, succeed=True)
        assert Payment.objects.get(pk=results[1].payment_id).status == PaymentStatus.REFUNDED
        assert Payment.objects.get(pk=first.payment_id).status == PaymentStatus.CAPTURED
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and level(shop) == (3, 0)
    assert order.status_changes.filter(to_status=OrderStatus.PAID).count() == 1
