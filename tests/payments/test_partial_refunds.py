"""payments.services.refund_amount: a payment refunded in several parts, with each provider, never
beyond what was captured (checked under row locks, raced on PostgreSQL), idempotent per key."""

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage
from payments import selectors, services
from payments.errors import InvalidRefundAmount, RefundExceedsCaptured
from payments.models import Payment, PaymentEvent, PaymentStatus, Refund, RefundStatus
from tests.concurrency import run_in_threads

from . import fakes as f
from .conftest import CANCEL_URL, RETURN_URL

D = Decimal


def paid_with_test_provider(order) -> Payment:
    started = services.start_payment(
        order=order, provider="test", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )
    return services.confirm_test_payment(payment_id=started.payment_id)


def paid_with_stripe(client, order) -> Payment:
    started = services.start_payment(
        order=order, provider="stripe", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )
    payload = json.dumps(
        {
            "id": "evt_paid",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {
                "object": {
                    "id": started.provider_reference,
                    "object": "payment_intent",
                    "metadata": {"payment_id": started.payment_id},
                }
            },
        }
    ).encode()
    response = client.post(
        "/payments/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f.stripe_signature(payload),
    )
    assert response.json()["result"] == "captured"
    return Payment.objects.get(pk=started.payment_id)


def paid_with_paypal(client, order) -> Payment:
    started = services.start_payment(
        order=order, provider="paypal", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )
    client.get(f"/en/pay/paypal/return/?token={started.provider_reference}")
    payment = Payment.objects.get(pk=started.payment_id)
    assert payment.status == PaymentStatus.CAPTURED
    return payment


def refunds():
    return list(Refund.objects.order_by("created_at", "pk").values_list("amount", "status", "key"))


# --- the test provider ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_payment_is_refunded_in_two_parts_and_stays_captured_until_the_last(order):
    payment = paid_with_test_provider(order)

    [first] = services.refund_amount(order=order, amount=D("10.00"), key="k1", reason="one tee damaged")

    assert (first.amount, first.status, first.currency) == (D("10.00"), RefundStatus.SUCCEEDED, "EUR")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED
    assert selectors.refundable_amount(order_id=order.pk) == D("15.00")
    assert selectors.refunded_amounts(payment_ids=[payment.pk]) == {payment.pk: D("10.00")}

    [second] = services.refund_amount(order=order, amount=D("15.00"), key="k2", reason="the rest")

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert refunds() == [(D("10.00"), "succeeded", "k1"), (D("15.00"), "succeeded", "k2")]
    assert selectors.refundable_amount(order_id=order.pk) == D("0.00")
    kinds = list(PaymentEvent.objects.filter(payment=payment).values_list("kind", flat=True))
    assert kinds[-4:] == ["refund_requested", "refunded_part", "refund_requested", "refunded"]


@pytest.mark.django_db
def test_the_same_key_returns_the_same_refunds(order):
    paid_with_test_provider(order)
    first = services.refund_amount(order=order, amount=D("10.00"), key="k1", reason="r")
    again = services.refund_amount(order=order, amount=D("10.00"), key="k1", reason="r")
    assert [r.pk for r in again] == [r.pk for r in first]
    assert refunds() == [(D("10.00"), "succeeded", "k1")]


@pytest.mark.django_db
def test_refund_order_refunds_what_is_left_after_a_partial_refund(order):
    payment = paid_with_test_provider(order)
    services.refund_amount(order=order, amount=D("7.50"), key="k1", reason="r")

    rest = services.refund_order(order=order, reason="cancelled")

    assert (rest.amount, rest.key, rest.status) == (D("17.50"), "full", RefundStatus.SUCCEEDED)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert services.refund_order(order=order, reason="again").pk == rest.pk  # nothing left, nothing more


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (D("25.01"), RefundExceedsCaptured),
        (D("0"), InvalidRefundAmount),
        (D("-1.00"), InvalidRefundAmount),
        (D("1.005"), InvalidRefundAmount),
        (D("NaN"), InvalidRefundAmount),
    ],
)
def test_a_refused_refund_writes_nothing(order, amount, error):
    payment = paid_with_test_provider(order)
    events = PaymentEvent.objects.count()

    with pytest.raises(error) as caught:
        services.refund_amount(order=order, amount=amount, key="k", reason="r")

    assert caught.value.http_status in (400, 409)
    assert Refund.objects.count() == 0 and PaymentEvent.objects.count() == events
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED


@pytest.mark.django_db
def test_more_than_what_is_left_after_a_refund_is_refused(order):
    paid_with_test_provider(order)
    services.refund_amount(order=order, amount=D("20.00"), key="k1", reason="r")
    with pytest.raises(RefundExceedsCaptured) as caught:
        services.refund_amount(order=order, amount=D("5.01"), key="k2", reason="r")
    assert caught.value.detail == {"requested": "5.01", "refundable": "5.00"}
    assert caught.value.http_status == 409
    assert refunds() == [(D("20.00"), "succeeded", "k1")]


@pytest.mark.django_db
def test_an_amount_is_spread_over_the_captured_payments_latest_first(order):
    first = paid_with_test_provider(order)
    # A second captured payment of the order (a top-up taken by hand), captured later.
    later = Payment.objects.create(
        order=order,
        provider="test",
        status=PaymentStatus.CAPTURED,
        amount=D("6.00"),
        currency="EUR",
        amount_eur=D("6.00"),
        return_url=RETURN_URL,
        cancel_url=CANCEL_URL,
        captured_at=timezone.now() + dt.timedelta(minutes=1),
    )

    made = services.refund_amount(order=order, amount=D("10.00"), key="k", reason="r")

    assert [(r.payment_id, r.amount) for r in made] == [(later.pk, D("6.00")), (first.pk, D("4.00"))]
    later.refresh_from_db()
    first.refresh_from_db()
    assert (later.status, first.status) == (PaymentStatus.REFUNDED, PaymentStatus.CAPTURED)


@pytest.mark.django_db
def test_inside_a_transaction_the_provider_is_asked_after_commit_through_the_outbox(
    order, django_capture_on_commit_callbacks
):
    paid_with_test_provider(order)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        [refund] = services.refund_amount(order=order, amount=D("5.00"), key="k", reason="r")
        assert refund.status == RefundStatus.PENDING
    message = OutboxMessage.objects.get(task_name="payments.tasks.execute_refund")
    assert message.kwargs == {"refund_id": refund.pk}
    assert Refund.objects.get().status == RefundStatus.PENDING  # counted as refunded while pending
    assert selectors.refundable_amount(order_id=order.pk) == D("20.00")

    services.execute_refund(refund_id=refund.pk)  # what the task does
    assert callbacks is not None
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED


@pytest.mark.django_db
def test_a_failed_partial_refund_is_retried_for_its_amount_only(order, monkeypatch):
    from payments.errors import ProviderError
    from payments.providers.test import TestProvider

    paid_with_test_provider(order)
    services.refund_amount(order=order, amount=D("5.00"), key="ok", reason="r")
    with monkeypatch.context() as patch:

        def down(self, payment, amount, *, idempotency_key):
            raise ProviderError(detail={"provider": "test", "error": "timeout"})

        patch.setattr(TestProvider, "refund", down)
        [failed] = services.refund_amount(order=order, amount=D("8.00"), key="ko", reason="r")
    assert failed.status == RefundStatus.FAILED
    assert selectors.refundable_amount(order_id=order.pk) == D("20.00")  # a failed refund holds nothing

    assert services.retry_failed_refunds() == 1

    assert sorted(refunds()) == [
        (D("5.00"), "succeeded", "ok"),
        (D("8.00"), "failed", "ko"),
        (D("8.00"), "succeeded", "ko"),
    ]
    assert selectors.refundable_amount(order_id=order.pk) == D("12.00")


# --- Stripe and PayPal: the request shapes of a partial refund --------------------------------------


@pytest.mark.django_db
def test_stripe_partial_refunds_send_the_amount_in_minor_units(client, fakes, order):
    payment = paid_with_stripe(client, order)

    [first] = services.refund_amount(order=order, amount=D("10.00"), key="k1", reason="r")
    [second] = services.refund_amount(order=order, amount=D("15.00"), key="k2", reason="r")

    calls = fakes.calls("POST", "/v1/refunds")
    assert [c.body for c in calls] == [
        {"payment_intent": payment.provider_reference, "amount": "1000"},
        {"payment_intent": payment.provider_reference, "amount": "1500"},
    ]
    assert [c.headers["Idempotency-Key"] for c in calls] == [f"refund-{first.pk}", f"refund-{second.pk}"]
    assert (first.status, second.status) == (RefundStatus.SUCCEEDED, RefundStatus.SUCCEEDED)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert fakes.state.stripe_refunded[payment.provider_reference] == 2500


@pytest.mark.django_db
def test_the_stripe_fake_refuses_more_than_is_left_as_stripe_does(client, fakes, order):
    """The fake holds its side of the rule: a refund the service let through by mistake would fail."""
    payment = paid_with_stripe(client, order)
    services.refund_amount(order=order, amount=D("20.00"), key="k1", reason="r")
    Refund.objects.filter(key="k1").update(status=RefundStatus.FAILED)  # our books forget it

    [refund] = services.refund_amount(order=order, amount=D("10.00"), key="k2", reason="r")

    assert refund.status == RefundStatus.FAILED and "greater than unrefunded" in refund.error
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED


@pytest.mark.django_db
def test_paypal_partial_refunds_send_the_amount_as_a_decimal_string(client, fakes, order):
    payment = paid_with_paypal(client, order)

    [first] = services.refund_amount(order=order, amount=D("10.00"), key="k1", reason="r")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED
    [second] = services.refund_amount(order=order, amount=D("15.00"), key="k2", reason="r")

    calls = fakes.calls("POST", f"/v2/payments/captures/{payment.capture_reference}/refund")
    assert [c.body for c in calls] == [
        {"amount": {"currency_code": "EUR", "value": "10.00"}, "invoice_id": order.number},
        {"amount": {"currency_code": "EUR", "value": "15.00"}, "invoice_id": order.number},
    ]
    assert [c.headers["PayPal-Request-Id"] for c in calls] == [f"refund-{first.pk}", f"refund-{second.pk}"]
    assert (first.status, second.status) == (RefundStatus.SUCCEEDED, RefundStatus.SUCCEEDED)
    assert fakes.state.captures[payment.capture_reference]["refunded"] == 2500
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED


@pytest.mark.django_db
def test_the_paypal_fake_refuses_more_than_is_left_as_paypal_does(client, fakes, order):
    payment = paid_with_paypal(client, order)
    services.refund_amount(order=order, amount=D("20.00"), key="k1", reason="r")
    Refund.objects.filter(key="k1").update(status=RefundStatus.FAILED)

    [refund] = services.refund_amount(order=order, amount=D("10.00"), key="k2", reason="r")

    assert refund.status == RefundStatus.FAILED and "status_code=422" in refund.error
    assert fakes.state.captures[payment.capture_reference]["refunded"] == 2000  # the second never went
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED


# --- the race ---------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refunds_at_once_that_together_exceed_what_is_left_one_is_refused(order):
    paid_with_test_provider(order)
    services.refund_amount(order=order, amount=D("5.00"), key="before", reason="r")  # 20.00 left
    amounts = [D("12.00"), D("11.00")]

    results = run_in_threads(
        2, lambda i: services.refund_amount(order=order, amount=amounts[i], key=f"race-{i}", reason="r")
    )

    refused = [r for r in results if isinstance(r, Exception)]
    done = [r for r in results if not isinstance(r, Exception)]
    assert len(refused) == 1 and len(done) == 1, results
    assert isinstance(refused[0], RefundExceedsCaptured) and refused[0].http_status == 409
    live = Refund.objects.exclude(status=RefundStatus.FAILED)
    assert sum(live.values_list("amount", flat=True)) <= D("25.00")
    assert sorted(live.values_list("key", flat=True)) == sorted(["before", done[0][0].key])
    assert Refund.objects.count() == 2
