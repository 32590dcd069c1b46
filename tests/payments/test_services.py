"""payments.services with the test provider: the status machine, the order and stock effects, refunds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage
from inventory import services as inventory
from inventory.models import Reservation
from orders.models import OrderStatus
from payments import services
from payments.errors import InvalidReturnUrl, OrderNotPayable, UnknownPayment, UnknownProvider, WrongProvider
from payments.models import Payment, PaymentEvent, PaymentStatus, Refund, RefundStatus
from pricing.services import set_currency_rate

from .conftest import CANCEL_URL, RETURN_URL, level, place

pytestmark = pytest.mark.django_db


def start(order, provider="test"):
    return services.start_payment(
        order=order, provider=provider, return_url=RETURN_URL, cancel_url=CANCEL_URL
    )


def statuses(order):
    return [c.to_status for c in order.status_changes.all()]


def kinds(payment_id):
    return list(PaymentEvent.objects.filter(payment_id=payment_id).values_list("kind", flat=True))


# --- available_providers ----------------------------------------------------------------------


def test_only_the_test_provider_is_offered_without_keys(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.PAYPAL_CLIENT_ID = ""
    assert services.available_providers() == ["test"]
    settings.PAYMENTS_TEST_PROVIDER = False
    assert services.available_providers() == []


def test_stripe_and_paypal_are_offered_when_their_keys_are_set(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.PAYPAL_CLIENT_ID = "client"
    assert services.available_providers() == ["test", "stripe", "paypal"]


# --- start_payment ----------------------------------------------------------------------------


def test_start_payment_records_a_pending_payment_for_the_order_total(order):
    started = start(order)

    payment = Payment.objects.get()
    assert started == services.PaymentStart(
        payment_id=str(payment.pk),
        provider="test",
        status="pending",
        redirect_url=f"/fr/pay/test/{payment.pk}/",
        client_secret="",
        provider_reference=f"test_{payment.pk.hex}",
    )
    assert (payment.amount, payment.currency, payment.amount_eur) == (
        Decimal("25.00"),
        "EUR",
        Decimal("25.00"),
    )
    assert (payment.return_url, payment.cancel_url) == (RETURN_URL, CANCEL_URL)
    assert kinds(payment.pk) == ["created", "opened"]


def test_a_payment_in_another_currency_charges_the_order_currency_and_keeps_euros(shop):
    set_currency_rate(currency="CHF", rate=Decimal("0.930000"))
    order = place(shop, currency="CHF")
    start(order)
    payment = Payment.objects.get()
    assert (payment.amount, payment.currency, payment.amount_eur) == (
        Decimal("23.25"),
        "CHF",
        Decimal("25.00"),
    )


@pytest.mark.parametrize(
    ("provider", "return_url", "cancel_url", "error"),
    [
        ("bitcoin", RETURN_URL, CANCEL_URL, UnknownProvider),
        ("stripe", RETURN_URL, CANCEL_URL, UnknownProvider),  # no key configured
        ("test", "javascript:alert(1)", CANCEL_URL, InvalidReturnUrl),
        ("test", RETURN_URL, "//evil.example.com/", InvalidReturnUrl),
        ("test", "", CANCEL_URL, InvalidReturnUrl),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(order, settings, provider, return_url, cancel_url, error):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(error):
        services.start_payment(order=order, provider=provider, return_url=return_url, cancel_url=cancel_url)
    assert Payment.objects.count() == 0 and PaymentEvent.objects.count() == 0


def test_an_order_not_awaiting_payment_cannot_be_paid(order):
    start(order)
    services.confirm_test_payment(payment_id=Payment.objects.get().pk)
    with pytest.raises(OrderNotPayable) as exc:
        start(order)
    assert exc.value.detail == {"number": order.number, "status": "paid"}
    assert Payment.objects.count() == 1


def test_starting_again_supersedes_the_open_payment_without_cancelling_the_order(order, shop):
    first = start(order)
    second = start(order)

    assert Payment.objects.get(pk=first.payment_id).status == PaymentStatus.CANCELLED
    assert Payment.objects.get(pk=second.payment_id).status == PaymentStatus.PENDING
    # A decline on the stale page changes nothing: the order still waits for the new payment.
    services.confirm_test_payment(payment_id=first.payment_id, succeed=False)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT and level(shop) == (5, 2)
    assert kinds(first.payment_id) == ["created", "opened", "superseded", "ignored"]


# --- confirm_test_payment: success, failure, replays, out of order ---------------------------


def test_paying_captures_the_payment_pays_the_order_and_sells_the_stock(order, shop):
    started = start(order)
    payment = services.confirm_test_payment(payment_id=started.payment_id, succeed=True)

    order.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED and payment.captured_at is not None
    assert payment.capture_reference == f"test_cap_{payment.pk.hex}"
    assert order.status == OrderStatus.PAID
    assert level(shop) == (3, 0)
    assert statuses(order) == ["pending_payment", "paid"]
    assert order.status_changes.last().note == f"paid by test ({payment.pk})"


def test_paying_twice_changes_nothing_the_second_time(order, shop):
    started = start(order)
    services.confirm_test_payment(payment_id=started.payment_id)
    again = services.confirm_test_payment(payment_id=started.payment_id)

    order.refresh_from_db()
    assert again.status == PaymentStatus.CAPTURED and order.status == OrderStatus.PAID
    assert level(shop) == (3, 0) and statuses(order) == ["pending_payment", "paid"]
    assert kinds(started.payment_id) == ["created", "opened", "captured", "ignored"]


def test_a_decline_fails_the_payment_and_the_order_keeps_waiting_with_its_stock(order, shop):
    started = start(order)
    payment = services.confirm_test_payment(payment_id=started.payment_id, succeed=False)

    order.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.failure_reason == "declined on the test page"
    assert order.status == OrderStatus.PENDING_PAYMENT  # the shopper may try again
    assert level(shop) == (5, 2)
    assert set(Reservation.objects.values_list("status", flat=True)) == {"active"}
    assert not Refund.objects.exists()


def test_a_declined_order_is_cancelled_by_the_expiry_job_once_its_reservation_ran_out(order, shop):
    from orders.services.abandoned import NEVER_SUCCEEDED, cancel_abandoned_orders

    services.confirm_test_payment(payment_id=start(order).payment_id, succeed=False)
    assert cancel_abandoned_orders() == 0  # still held: nothing happens

    assert cancel_abandoned_orders(now=timezone.now() + dt.timedelta(minutes=31)) == 1

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and level(shop) == (5, 0)
    assert order.status_changes.last().note == NEVER_SUCCEEDED


def test_a_failure_after_a_success_is_ignored(order, shop):
    started = start(order)
    services.confirm_test_payment(payment_id=started.payment_id, succeed=True)
    payment = services.confirm_test_payment(payment_id=started.payment_id, succeed=False)

    order.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED and order.status == OrderStatus.PAID
    assert level(shop) == (3, 0)


def test_a_success_after_a_failure_while_the_order_still_waits_pays_it(order, shop):
    started = start(order)
    services.confirm_test_payment(payment_id=started.payment_id, succeed=False)
    payment = services.confirm_test_payment(payment_id=started.payment_id, succeed=True)

    order.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED and order.status == OrderStatus.PAID
    assert not Refund.objects.exists()


def test_a_success_after_a_failure_is_recorded_and_refunded_at_once(order, shop):
    from orders.services.abandoned import cancel_abandoned_orders

    started = start(order)
    services.confirm_test_payment(payment_id=started.payment_id, succeed=False)
    assert cancel_abandoned_orders(now=timezone.now() + dt.timedelta(minutes=31)) == 1  # time ran out
    payment = services.confirm_test_payment(payment_id=started.payment_id, succeed=True)

    order.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert order.status == OrderStatus.CANCELLED and level(shop) == (5, 0)
    refund = Refund.objects.get()
    assert (refund.amount, refund.status) == (Decimal("25.00"), RefundStatus.SUCCEEDED)
    assert kinds(payment.pk) == [
        "created",
        "opened",
        "failed",
        "captured",
        "unfulfillable",
        "refund_requested",
        "refunded",
    ]


def test_a_payment_that_arrives_after_the_reservation_expired_is_refunded_and_the_order_cancelled(
    order, shop
):
    started = start(order)
    Reservation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert inventory.release_expired_reservations() == 1  # the beat task ran while the shopper paid

    payment = services.confirm_test_payment(payment_id=started.payment_id, succeed=True)

    order.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert order.status == OrderStatus.CANCELLED
    assert statuses(order) == ["pending_payment", "cancelled"]
    assert level(shop) == (5, 0)
    refund = Refund.objects.get()
    assert (refund.amount, refund.currency, refund.status) == (
        Decimal("25.00"),
        "EUR",
        RefundStatus.SUCCEEDED,
    )
    assert refund.reason == "the order could not be paid (reservation expired or order closed)"


def test_confirming_an_unknown_or_foreign_payment_is_refused(order, settings):
    with pytest.raises(UnknownPayment):
        services.confirm_test_payment(payment_id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(UnknownPayment):
        services.confirm_test_payment(payment_id="not-a-uuid")
    payment = Payment.objects.create(
        order=order,
        provider="stripe",
        amount=Decimal("25.00"),
        currency="EUR",
        amount_eur=Decimal("25.00"),
        return_url=RETURN_URL,
        cancel_url=CANCEL_URL,
    )
    with pytest.raises(WrongProvider):
        services.confirm_test_payment(payment_id=payment.pk)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


# --- refund_order ---------------------------------------------------------------------------


def test_refund_order_returns_none_when_nothing_was_captured(order):
    start(order)
    assert services.refund_order(order=order, reason="changed mind") is None
    assert not Refund.objects.exists()


def test_refund_order_refunds_what_was_captured_once(order):
    started = start(order)
    services.confirm_test_payment(payment_id=started.payment_id)

    first = services.refund_order(order=order, reason="returned")
    second = services.refund_order(order=order, reason="returned again")

    assert first.pk == second.pk and Refund.objects.count() == 1
    assert (first.amount, first.status, first.reason) == (
        Decimal("25.00"),
        RefundStatus.SUCCEEDED,
        "returned",
    )
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert kinds(started.payment_id).count("refunded") == 1


def test_refund_order_inside_a_transaction_calls_the_provider_after_commit(
    order, eager_celery, django_capture_on_commit_callbacks
):
    started = start(order)
    services.confirm_test_payment(payment_id=started.payment_id)
    OutboxMessage.objects.all().delete()  # the confirmation e-mail

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        refund = services.refund_order(order=order, reason="cancelled by staff")
        assert refund.status == RefundStatus.PENDING  # nothing asked of the provider yet

    # After commit, through the outbox: the task payments.tasks.execute_refund asks the provider.
    assert len(callbacks) == 1
    [message] = OutboxMessage.objects.all()
    assert (message.task_name, message.kwargs) == ("payments.tasks.execute_refund", {"refund_id": refund.pk})
    assert message.delivered_at is not None
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert Payment.objects.get().status == PaymentStatus.REFUNDED


def test_a_second_payment_succeeding_after_the_order_was_paid_is_refunded(order, shop):
    first = start(order)
    second = start(order)  # the shopper opened a second tab
    services.confirm_test_payment(payment_id=second.payment_id)
    late = services.confirm_test_payment(payment_id=first.payment_id)  # the stale tab is paid too

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and level(shop) == (3, 0)
    assert Payment.objects.get(pk=second.payment_id).status == PaymentStatus.CAPTURED
    assert late.status == PaymentStatus.REFUNDED
    assert list(Refund.objects.values_list("payment_id", "status")) == [(late.pk, RefundStatus.SUCCEEDED)]
    # refund_order refunds what paid the order and leaves the already refunded one alone.
    refund = services.refund_order(order=order, reason="returned")
    assert str(refund.payment_id) == second.payment_id
    assert Refund.objects.filter(status=RefundStatus.SUCCEEDED).count() == 2


def test_failed_refunds_are_retried_by_the_beat_task(order, monkeypatch):
    from payments.errors import ProviderError
    from payments.providers.test import TestProvider

    started = start(order)
    services.confirm_test_payment(payment_id=started.payment_id)

    def down(self, payment, amount, *, idempotency_key):
        raise ProviderError(detail={"provider": "test", "error": "timeout"})

    with monkeypatch.context() as patch:
        patch.setattr(TestProvider, "refund", down)
        failed = services.refund_order(order=order, reason="returned")
        assert (failed.status, failed.error) == (RefundStatus.FAILED, "timeout")
        assert services.retry_failed_refunds() == 0  # still down: a second failed attempt
    assert Refund.objects.filter(status=RefundStatus.FAILED).count() == 2

    assert services.retry_failed_refunds() == 1
    assert services.retry_failed_refunds() == 0  # nothing left to do
    done = Refund.objects.get(status=RefundStatus.SUCCEEDED)
    assert (done.reason, done.amount) == ("returned", Decimal("25.00"))
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
