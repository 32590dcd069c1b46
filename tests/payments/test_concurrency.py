"""Real threads on PostgreSQL: a webhook delivered twice at once, a success racing a failure, refunds
asked twice at once. Each is applied exactly once."""

import json
import time

import pytest
from django.test import Client

from orders.models import OrderStatus
from payments import services
from payments.models import Payment, PaymentEvent, PaymentStatus, Refund, RefundStatus, WebhookEvent
from tests.concurrency import in_threads

from . import fakes as f
from .conftest import CANCEL_URL, RETURN_URL, level

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def stripe_event(started, type_, event_id) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": type_,
            "created": int(time.time()),
            "data": {"object": {"id": started.provider_reference, "object": "payment_intent"}},
        }
    ).encode()


def post(payload: bytes):
    return Client().post(
        "/payments/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f.stripe_signature(payload),
    )


def test_the_same_webhook_delivered_four_times_at_once_is_applied_once(fakes, order, shop):
    started = services.start_payment(
        order=order, provider="stripe", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )
    payload = stripe_event(started, "payment_intent.succeeded", "evt_race")

    responses = in_threads(4, lambda i: post(payload))

    assert [r.status_code for r in responses] == [200] * 4
    assert sorted(r.json()["result"] for r in responses) == [
        "captured",
        "duplicate",
        "duplicate",
        "duplicate",
    ]
    assert WebhookEvent.objects.count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and level(shop) == (3, 0)
    assert PaymentEvent.objects.filter(kind="captured").count() == 1


def test_success_and_failure_racing_leave_one_consistent_outcome(fakes, order, shop):
    started = services.start_payment(
        order=order, provider="stripe", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )
    ok = stripe_event(started, "payment_intent.succeeded", "evt_ok")
    ko = stripe_event(started, "payment_intent.payment_failed", "evt_ko")

    in_threads(2, lambda i: post([ok, ko][i]))

    payment = Payment.objects.get()
    order.refresh_from_db()
    if payment.status == PaymentStatus.CAPTURED:  # success first: the failure was ignored
        assert order.status == OrderStatus.PAID and level(shop) == (3, 0)
    else:  # failure first: the late success was refunded, the order stays cancelled
        assert payment.status == PaymentStatus.REFUNDED
        assert order.status == OrderStatus.CANCELLED and level(shop) == (5, 0)
        assert Refund.objects.get().status == RefundStatus.SUCCEEDED


def test_two_refunds_asked_at_once_refund_once(fakes, order):
    started = services.start_payment(
        order=order, provider="stripe", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )
    post(stripe_event(started, "payment_intent.succeeded", "evt_ok"))

    refunds = in_threads(2, lambda i: services.refund_order(order=order, reason="returned"))

    assert refunds[0].pk == refunds[1].pk
    assert Refund.objects.count() == 1
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    assert len({c.headers["Idempotency-Key"] for c in fakes.calls("POST", "/v1/refunds")}) == 1
