"""Stripe through the real SDK against the local fake: PaymentIntents, signed webhooks, refunds."""

import json
import time
from decimal import Decimal

import pytest

from inventory import services as inventory
from inventory.models import Reservation
from orders.models import OrderStatus
from payments import services
from payments.errors import ProviderError
from payments.models import Payment, PaymentEvent, PaymentStatus, Refund, RefundStatus, WebhookEvent

from . import fakes as f
from .conftest import CANCEL_URL, RETURN_URL, level

pytestmark = pytest.mark.django_db

WEBHOOK_URL = "/payments/webhooks/stripe/"


def start(order):
    return services.start_payment(
        order=order, provider="stripe", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )


def event(started, type_="payment_intent.succeeded", event_id="evt_1", **extra) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": type_,
            "created": int(time.time()),
            "livemode": False,
            "data": {
                "object": {
                    "id": started.provider_reference,
                    "object": "payment_intent",
                    "amount": 2500,
                    "currency": "eur",
                    "metadata": {"payment_id": started.payment_id},
                    **extra,
                }
            },
        }
    ).encode()


def deliver(client, payload: bytes, signature: str | None = None):
    headers = {} if signature == "" else {"HTTP_STRIPE_SIGNATURE": signature or f.stripe_signature(payload)}
    return client.post(WEBHOOK_URL, data=payload, content_type="application/json", **headers)


def test_start_creates_a_payment_intent_in_minor_units_with_the_payment_id_as_idempotency_key(fakes, order):
    started = start(order)

    [call] = fakes.calls("POST", "/v1/payment_intents")
    assert call.body == {
        "amount": "2500",
        "currency": "eur",
        "metadata[order_number]": order.number,
        "metadata[payment_id]": started.payment_id,
        "automatic_payment_methods[enabled]": "true",
    }
    assert call.headers["Idempotency-Key"] == started.payment_id
    assert started.provider_reference.startswith("pi_fake")
    assert started.client_secret == f"{started.provider_reference}_secret_fake"
    assert started.redirect_url == f"/fr/pay/stripe/{started.payment_id}/"
    assert Payment.objects.get().provider_reference == started.provider_reference


def test_stripe_unreachable_fails_the_payment_and_keeps_the_order_payable(fakes, order, shop):
    fakes.state.fail_next["/v1/payment_intents"] = 500
    with pytest.raises(ProviderError):
        start(order)
    payment = Payment.objects.get()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.provider_reference == ""
    assert order.status == OrderStatus.PENDING_PAYMENT and level(shop) == (5, 2)
    # The shopper tries again: a new payment, a new intent.
    again = start(order)
    assert again.status == "pending" and Payment.objects.count() == 2


def test_the_succeeded_webhook_captures_the_payment_and_pays_the_order(client, fakes, order, shop):
    started = start(order)
    response = deliver(client, event(started))

    assert response.status_code == 200
    assert response.json() == {
        "event_id": "evt_1",
        "type": "payment_intent.succeeded",
        "result": "captured",
        "duplicate": False,
    }
    order.refresh_from_db()
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.CAPTURED and order.status == OrderStatus.PAID
    assert level(shop) == (3, 0)
    record = WebhookEvent.objects.get()
    assert (record.provider, record.event_id, record.type, record.result) == (
        "stripe",
        "evt_1",
        "payment_intent.succeeded",
        "captured",
    )
    assert record.payment_id == payment.pk and record.processed_at is not None
    assert "set-cookie" not in {k.lower() for k in response.headers}  # no session


def test_a_replayed_webhook_changes_nothing(client, fakes, order, shop):
    started = start(order)
    payload = event(started)
    deliver(client, payload)
    replay = deliver(client, payload)

    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert replay.json()["result"] == "duplicate"
    assert WebhookEvent.objects.count() == 1
    order.refresh_from_db()
    assert [c.to_status for c in order.status_changes.all()] == ["pending_payment", "paid"]
    assert level(shop) == (3, 0)


def test_a_replay_is_caught_by_run_once_and_after_its_record_expired_by_the_event_log(
    client, fakes, order, shop
):
    from core.models import IdempotencyRecord

    started = start(order)
    payload = event(started)
    deliver(client, payload)
    record = IdempotencyRecord.objects.get(scope="webhook:stripe")
    assert record.key == "evt_1" and json.loads(record.response_json)["result"] == "captured"

    IdempotencyRecord.objects.filter(pk=record.pk).delete()  # purged after IDEMPOTENCY_KEY_TTL_HOURS
    replay = deliver(client, payload)

    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1
    assert not IdempotencyRecord.objects.filter(scope="webhook:stripe").exists()  # the refusal rolled back
    assert PaymentEvent.objects.filter(kind="captured").count() == 1


def test_a_second_success_event_for_a_captured_payment_is_a_no_op(client, fakes, order, shop):
    started = start(order)
    deliver(client, event(started, event_id="evt_1"))
    response = deliver(client, event(started, event_id="evt_2"))

    assert response.json()["result"] == "already_captured"
    assert WebhookEvent.objects.count() == 2
    assert PaymentEvent.objects.filter(kind="captured").count() == 1
    assert level(shop) == (3, 0)


def test_a_failure_arriving_after_the_success_is_ignored(client, fakes, order, shop):
    started = start(order)
    deliver(client, event(started, event_id="evt_ok"))
    response = deliver(client, event(started, "payment_intent.payment_failed", event_id="evt_late"))

    assert response.status_code == 200 and response.json()["result"] == "ignored_captured"
    order.refresh_from_db()
    assert Payment.objects.get().status == PaymentStatus.CAPTURED and order.status == OrderStatus.PAID
    assert level(shop) == (3, 0)


def test_the_failed_webhook_fails_the_payment_and_the_order_keeps_its_stock(client, fakes, order, shop):
    started = start(order)
    response = deliver(
        client,
        event(
            started,
            "payment_intent.payment_failed",
            last_payment_error={"message": "Your card was declined."},
        ),
    )

    assert response.json()["result"] == "failed"
    payment = Payment.objects.get()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.failure_reason == "Your card was declined."
    assert order.status == OrderStatus.PENDING_PAYMENT and level(shop) == (5, 2)
    assert not was_ever_paid(order)


def was_ever_paid(order) -> bool:
    return order.status_changes.filter(to_status=OrderStatus.PAID).exists()


@pytest.mark.parametrize(
    "signature",
    [
        "",  # no header
        "t=1700000000,v1=deadbeef",  # forged
        "garbage",
        "wrong-secret",
        "too-old",
        "future-dated",
        "tampered",
    ],
)
def test_a_bad_signature_is_a_400_and_writes_nothing(client, fakes, order, shop, signature):
    started = start(order)
    payload = event(started)
    if signature == "wrong-secret":
        signature = f.stripe_signature(payload, secret="whsec_other")
    elif signature == "too-old":
        signature = f.stripe_signature(payload, timestamp=int(time.time()) - 3600)
    elif signature == "future-dated":  # a valid HMAC stamped 10 minutes ahead (tolerance: 5)
        signature = f.stripe_signature(payload, timestamp=int(time.time()) + 600)
    elif signature == "tampered":
        signature = f.stripe_signature(payload)
        payload = payload.replace(b'"amount": 2500', b'"amount": 1')
    response = deliver(client, payload, signature)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_webhook" and body["message"]
    assert WebhookEvent.objects.count() == 0
    order.refresh_from_db()
    assert (
        Payment.objects.get().status == PaymentStatus.PENDING and order.status == OrderStatus.PENDING_PAYMENT
    )
    assert level(shop) == (5, 2)


def test_a_body_that_is_not_json_is_a_400(client, fakes, order):
    payload = b"not json"
    response = deliver(client, payload, f.stripe_signature(payload))
    assert response.status_code == 400 and response.json()["code"] == "invalid_webhook"
    assert WebhookEvent.objects.count() == 0


def test_webhooks_only_accept_post(client, fakes):
    response = client.get(WEBHOOK_URL)
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


def test_an_event_we_do_not_act_on_is_recorded_and_ignored(client, fakes, order):
    started = start(order)
    response = deliver(client, event(started, "payment_intent.created"))
    assert response.json()["result"] == "ignored"
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert WebhookEvent.objects.get().result == "ignored"


def test_an_event_for_an_unknown_intent_is_acknowledged(client, fakes, order):
    started = services.PaymentStart(
        "00000000-0000-0000-0000-000000000000", "stripe", "pending", "", "", "pi_other"
    )
    response = deliver(client, event(started))
    assert response.status_code == 200 and response.json()["result"] == "unknown_payment"


def test_refund_order_refunds_through_stripe_once(client, fakes, order):
    started = start(order)
    deliver(client, event(started))

    refund = services.refund_order(order=order, reason="returned")
    again = services.refund_order(order=order, reason="returned")

    [call] = fakes.calls("POST", "/v1/refunds")
    assert call.body == {"payment_intent": started.provider_reference, "amount": "2500"}
    assert call.headers["Idempotency-Key"] == f"refund-{refund.pk}"
    assert again.pk == refund.pk
    assert (refund.status, refund.amount) == (RefundStatus.SUCCEEDED, Decimal("25.00"))
    assert refund.provider_reference.startswith("re_fake")
    assert Payment.objects.get().status == PaymentStatus.REFUNDED


def test_a_refused_refund_is_recorded_failed_and_can_be_retried(client, fakes, order):
    started = start(order)
    deliver(client, event(started))
    fakes.state.fail_next["/v1/refunds"] = 500

    failed = services.refund_order(order=order, reason="returned")
    assert failed.status == RefundStatus.FAILED and "fake outage" in failed.error
    assert Payment.objects.get().status == PaymentStatus.CAPTURED

    retried = services.refund_order(order=order, reason="returned")
    assert retried.pk != failed.pk and retried.status == RefundStatus.SUCCEEDED
    assert Refund.objects.filter(status=RefundStatus.SUCCEEDED).count() == 1


def test_success_after_the_reservation_expired_refunds_through_stripe_and_cancels(client, fakes, order, shop):
    started = start(order)
    Reservation.objects.update(expires_at="2000-01-01T00:00:00Z")
    inventory.release_expired_reservations()

    response = deliver(client, event(started))

    assert response.json()["result"] == "captured_refunding"
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and level(shop) == (5, 0)
    [call] = fakes.calls("POST", "/v1/refunds")
    assert call.body["amount"] == "2500"
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED


def test_the_return_page_syncs_a_succeeded_intent_and_goes_to_the_return_url(client, fakes, order, shop):
    started = start(order)
    fakes.set_intent_status(started.provider_reference, "succeeded")

    response = client.get(
        f"/en/pay/stripe/{started.payment_id}/return/?payment_intent={started.provider_reference}"
    )

    assert response.status_code == 302 and response["Location"] == RETURN_URL
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and level(shop) == (3, 0)
    # The webhook arriving afterwards is a no-op.
    assert deliver(client, event(started)).json()["result"] == "already_captured"


def test_the_return_page_with_the_intent_still_processing_waits_for_the_webhook(client, fakes, order):
    started = start(order)
    fakes.set_intent_status(started.provider_reference, "processing")
    response = client.get(f"/en/pay/stripe/{started.payment_id}/return/")
    assert response.status_code == 302 and response["Location"] == RETURN_URL
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_the_payment_element_page_shows_the_order_and_the_client_secret(
    client, fakes, order, django_assert_max_num_queries
):
    started = start(order)
    with django_assert_max_num_queries(4):
        response = client.get(f"/en/pay/stripe/{started.payment_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert order.number in html and "25.00 EUR" in html
    assert f'data-client-secret="{started.client_secret}"' in html
    assert 'data-publishable-key="pk_test_fake"' in html
    assert f'data-return-url="http://testserver/en/pay/stripe/{started.payment_id}/return/"' in html
    assert "https://js.stripe.com/v3/" in html


def test_cancelling_on_the_payment_element_page_cancels_the_payment_only(client, fakes, order, shop):
    started = start(order)
    response = client.post(f"/en/pay/stripe/{started.payment_id}/cancel/")
    assert response.status_code == 302 and response["Location"] == CANCEL_URL
    order.refresh_from_db()
    assert Payment.objects.get().status == PaymentStatus.CANCELLED
    assert order.status == OrderStatus.PENDING_PAYMENT and level(shop) == (5, 2)


@pytest.mark.parametrize("path", ["/en/pay/stripe/{id}/", "/en/pay/stripe/{id}/return/"])
def test_stripe_pages_for_an_unknown_payment_are_404(client, fakes, path):
    response = client.get(path.format(id="00000000-0000-0000-0000-000000000000"))
    assert response.status_code == 404 and "Payment not found" in response.content.decode()


def test_cancelling_an_unknown_or_test_payment_on_the_stripe_url_is_404(client, fakes, order):
    started = services.start_payment(
        order=order, provider="test", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )
    assert client.post(f"/en/pay/stripe/{started.payment_id}/cancel/").status_code == 404
    assert client.get(f"/en/pay/stripe/{started.payment_id}/cancel/").status_code == 405
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_no_provider_call_runs_inside_a_database_transaction(client, fakes, order, monkeypatch):
    from payments.providers.stripe import StripeProvider

    seen = []
    for name in ("create", "capture", "refund", "parse_webhook"):
        original = getattr(StripeProvider, name)

        def spy(self, *args, _original=original, _name=name, **kwargs):
            seen.append((_name, services._in_transaction()))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(StripeProvider, name, spy)

    started = start(order)
    fakes.set_intent_status(started.provider_reference, "processing")
    client.get(f"/en/pay/stripe/{started.payment_id}/return/")
    deliver(client, event(started))
    services.refund_order(order=order, reason="returned")

    assert seen == [("create", False), ("capture", False), ("parse_webhook", False), ("refund", False)]


@pytest.mark.parametrize("skew", [-240, 240])
def test_a_signature_within_the_tolerance_either_way_is_accepted(client, fakes, order, skew):
    started = start(order)
    payload = event(started)
    response = deliver(client, payload, f.stripe_signature(payload, timestamp=int(time.time()) + skew))
    assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1


def test_a_future_dated_signature_says_why_it_is_refused(client, fakes, order):
    started = start(order)
    payload = event(started)
    response = deliver(client, payload, f.stripe_signature(payload, timestamp=int(time.time()) + 3600))
    assert response.status_code == 400
    assert response.json()["message"] == "The Stripe signature is not dated within the tolerance."
    assert WebhookEvent.objects.count() == 0


def test_the_payment_element_page_alone_allows_stripe_in_its_content_security_policy(client, fakes, order):
    started = start(order)

    stripe_page = client.get(f"/en/pay/stripe/{started.payment_id}/")["Content-Security-Policy"]
    other_page = client.get("/en/cart/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in stripe_page.split(";"))
    assert directives["script-src"] == "'self' https://js.stripe.com"
    assert directives["frame-src"] == "https://js.stripe.com https://hooks.stripe.com"
    assert directives["connect-src"] == "'self' https://api.stripe.com ws://testserver"
    assert "stripe" not in other_page and "unsafe-inline" not in stripe_page
