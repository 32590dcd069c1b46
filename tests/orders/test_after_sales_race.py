"""Real threads on PostgreSQL: two staff refund the same order at once for more than it has left.
The order's row lock queues them; the second sees the first and is refused; nothing is overpaid."""

import pytest

from orders import services
from orders.errors import RefundExceedsCaptured
from orders.models import Order, OrderAction, OrderStatus
from payments.models import Refund, RefundStatus
from tests.concurrency import run_in_threads
from tests.orders.after_sales_support import D, place_discounted
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import pay_with_test_provider

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_part_refunds_at_once_never_exceed_what_was_paid(shop):
    order = pay_with_test_provider(place_discounted(shop))  # 47.40
    for status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED):
        order = services.transition_order(order=order, to_status=status)

    results = run_in_threads(
        2,
        lambda i: services.refund_order_part(
            order=order, amount=D("30.00"), reason=f"goodwill {i}", user=None, key=f"race-{i}"
        ),
    )

    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], RefundExceedsCaptured), results
    assert refused[0].http_status == 409
    order.refresh_from_db()
    assert order.refunded_gross == D("30.00")
    assert OrderAction.objects.count() == 1
    live = Refund.objects.exclude(status=RefundStatus.FAILED)
    assert list(live.values_list("amount", flat=True)) == [D("30.00")]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
