"""End to end with the real payments service and its test provider: paid through the test page,
ready, not collected, cancelled and refunded in full (no fake in between)."""

import pytest
from django.core import mail

from orders.models import Order, OrderStatus
from orders.services import pickup
from tests.factories import cashier
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import DAY, level, place

pytestmark = pytest.mark.django_db


def test_an_uncollected_order_paid_with_the_test_provider_is_refunded_in_full(
    shop, settings, sms_outbox, eager_celery, django_capture_on_commit_callbacks
):
    from payments import services as payments
    from payments.models import Refund

    settings.PAYMENTS_TEST_PROVIDER = True
    order = place(shop, tees=2, mugs=1, language="en")
    start = payments.start_payment(
        order=order, provider="test", return_url="/en/checkout/done/", cancel_url="/en/cart/"
    )
    with django_capture_on_commit_callbacks(execute=True):
        payments.confirm_test_payment(payment_id=start.payment_id, succeed=True)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert level(shop.tee, shop.aja) == (5, 2)  # still held for the pickup

    with django_capture_on_commit_callbacks(execute=True):
        pickup.mark_ready_for_pickup(order=order, user=cashier(shop.aja))
    with django_capture_on_commit_callbacks(execute=True):
        assert pickup.cancel_uncollected_orders(now=pickup.ready_at(order) + 7 * DAY) == 1

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert level(shop.tee, shop.aja) == (5, 0) and level(shop.mug, shop.aja) == (3, 0)
    refund = Refund.objects.get()
    assert (refund.amount, refund.payment.order_id) == (order.total_gross, order.pk)
    assert [m.subject for m in mail.outbox] == [
        f"Thank you for your order {order.number}",
        f"Your order {order.number} is ready: collect it by {mail.outbox[1].subject.rsplit('by ', 1)[1]}",
        f"Your order {order.number} has been cancelled",
    ]
    assert len(sms_outbox) == 1
