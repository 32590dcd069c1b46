"""PayPal through paypal-server-sdk against the local fake: Orders v2, capture on return, verified
webhooks, refunds."""

import json
from decimal import Decimal

import pytest

from orders.models import OrderStatus
from payments import services
from payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent

from . import fakes as f
from .conftest import CANCEL_URL, RETURN_URL, level

pytestmark = pytest.mark.django_db

WEBHOOK_URL = "/payments/webhooks/paypal/"


def start(order, return_url=RETURN_URL):
    return services.start_payment(
        order=order, provider="paypal", return_url=return_url, cancel_url=CANCEL_URL
    )


def capture_event(
    payment, *, event_type="PAYMENT.CAPTURE.COMPLETED", event_id="WH-EVT-1", capture_id="CAP-1"
):
    return {
        "id": event_id,
        "event_type": event_type,
        "resource_type": "capture",
        "resource": {
            "id": capture_id,
            "status": "COMPLETED" if event_type.endswith("COMPLETED") else "DECLINED",
            "amount": {"currency_code": "EUR", "value": "25.00"},
            "custom_id": str(payment.pk),
            "supplementary_data": {"related_ids": {"order_id": payment.provider_reference}},
        },
    }


def deliver(client, event: dict, **kwargs):
    headers = {f"HTTP_{k.replace('-', '_')}": v for k, v in f.paypal_headers(event, **kwargs).items()}
    return client.post(WEBHOOK_URL, data=json.dumps(event), content_type="application/json", **headers)


def test_start_creates_a_paypal_order_to_capture_and_sends_the_shopper_to_approve_it(fakes, order):
    started = start(order)

    [token_call] = fakes.calls("POST", "/v1/oauth2/token")
    assert token_call.body == {"grant_type": "client_credentials"}
    [call] = fakes.calls("POST", "/v2/checkout/orders")
    assert call.headers["PayPal-Request-Id"] == f"create-{started.payment_id}"
    assert call.body["intent"] == "CAPTURE"
    assert call.body["purchase_units"] == [
        {
            "amount": {"currency_code": "EUR", "value": "25.00"},
            "reference_id": order.number,
            "custom_id": started.payment_id,
            "invoice_id": order.number,
        }
    ]
    context = call.body["payment_source"]["paypal"]["experience_context"]
    assert context["return_url"] == "https://shop.example.com/fr/pay/paypal/return/"
    assert context["cancel_url"] == "https://shop.example.com/fr/pay/paypal/cancel/"
    assert context["user_action"] == "PAY_NOW"
    assert (
        started.redirect_url
        == f"https://www.sandbox.paypal.com/checkoutnow?token={started.provider_reference}"
    )
    assert started.provider_reference.startswith("PAYPALORDER")


def test_an_absolute_return_url_gives_paypal_the_same_host(fakes, order, settings):
    settings.PAYMENTS_RETURN_URL_HOSTS = ["boutique.example.fr"]  # another host must be allowlisted
    start(order, return_url="https://boutique.example.fr/en/checkout/done/X/")
    [call] = fakes.calls("POST", "/v2/checkout/orders")
    context = call.body["payment_source"]["paypal"]["experience_context"]
    assert context["return_url"] == "https://boutique.example.fr/fr/pay/paypal/return/"


def test_coming_back_approved_captures_and_pays_the_order(client, fakes, order, shop):
    started = start(order)
    response = client.get(f"/en/pay/paypal/return/?token={started.provider_reference}&PayerID=PAYER1")

    assert response.status_code == 302 and response["Location"] == RETURN_URL
    [call] = fakes.calls("POST", f"/v2/checkout/orders/{started.provider_reference}/capture")
    assert call.headers["PayPal-Request-Id"] == f"capture-{started.payment_id}"
    payment = Payment.objects.get()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED and payment.capture_reference.startswith("CAPTURE")
    assert order.status == OrderStatus.PAID and level(shop) == (3, 0)


def test_coming_back_twice_captures_once(client, fakes, order, shop):
    started = start(order)
    client.get(f"/en/pay/paypal/return/?token={started.provider_reference}")
    again = client.get(f"/en/pay/paypal/return/?token={started.provider_reference}")

    assert again.status_code == 302 and again["Location"] == RETURN_URL
    assert len(fakes.calls("POST", f"/v2/checkout/orders/{started.provider_reference}/capture")) == 1
    assert level(shop) == (3, 0)


def test_a_declined_capture_keeps_the_order_waiting_and_sends_the_shopper_to_the_cancel_url(
    client, fakes, order, shop
):
    started = start(order)
    fakes.state.decline_captures.add(started.provider_reference)

    response = client.get(f"/en/pay/paypal/return/?token={started.provider_reference}")

    assert response.status_code == 302 and response["Location"] == CANCEL_URL
    payment = Payment.objects.get()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.failure_reason == "PayPal: INSTRUMENT_DECLINED"
    assert order.status == OrderStatus.PENDING_PAYMENT and level(shop) == (5, 2)  # may try again


def test_paypal_unreachable_on_return_shows_a_retry_page_and_changes_nothing(client, fakes, order, shop):
    started = start(order)
    fakes.state.fail_next[f"/v2/checkout/orders/{started.provider_reference}/capture"] = 503

    response = client.get(f"/en/pay/paypal/return/?token={started.provider_reference}")

    assert response.status_code == 502
    assert "PayPal did not answer" in response.content.decode()
    assert Payment.objects.get().status == PaymentStatus.PENDING and level(shop) == (5, 2)


def test_giving_up_on_paypal_cancels_the_payment_and_the_order_keeps_waiting(client, fakes, order, shop):
    started = start(order)
    response = client.get(f"/en/pay/paypal/cancel/?token={started.provider_reference}")
    assert response.status_code == 302 and response["Location"] == CANCEL_URL
    order.refresh_from_db()
    assert Payment.objects.get().status == PaymentStatus.CANCELLED
    assert order.status == OrderStatus.PENDING_PAYMENT and level(shop) == (5, 2)


@pytest.mark.parametrize(
    ("query", "status"), [("", 400), ("?token=", 400), ("?token=PAYPALORDER999999", 404)]
)
def test_a_return_without_a_known_token_is_refused(client, fakes, order, query, status):
    start(order)
    response = client.get(f"/en/pay/paypal/return/{query}")
    assert response.status_code == status
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_the_completed_webhook_pays_the_order_when_the_shopper_never_came_back(client, fakes, order, shop):
    start(order)
    payment = Payment.objects.get()
    response = deliver(client, capture_event(payment))

    assert response.status_code == 200
    assert response.json() == {
        "event_id": "WH-EVT-1",
        "type": "PAYMENT.CAPTURE.COMPLETED",
        "result": "captured",
        "duplicate": False,
    }
    [verify] = fakes.calls("POST", "/v1/notifications/verify-webhook-signature")
    assert verify.body["webhook_id"] == f.PAYPAL_WEBHOOK_ID
    assert verify.body["transmission_id"] == "tx-1" and verify.body["webhook_event"]["id"] == "WH-EVT-1"
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED and payment.capture_reference == "CAP-1"
    assert order.status == OrderStatus.PAID and level(shop) == (3, 0)


def test_a_replayed_paypal_webhook_is_a_no_op(client, fakes, order, shop):
    start(order)
    payment = Payment.objects.get()
    deliver(client, capture_event(payment))
    replay = deliver(client, capture_event(payment), transmission_id="tx-2")

    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1 and level(shop) == (3, 0)


def test_denied_after_completed_is_ignored(client, fakes, order, shop):
    start(order)
    payment = Payment.objects.get()
    deliver(client, capture_event(payment))
    late = deliver(client, capture_event(payment, event_type="PAYMENT.CAPTURE.DENIED", event_id="WH-EVT-2"))

    assert late.json()["result"] == "ignored_captured"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and level(shop) == (3, 0)


def test_the_denied_webhook_fails_the_payment_and_the_order_keeps_waiting(client, fakes, order, shop):
    start(order)
    payment = Payment.objects.get()
    response = deliver(client, capture_event(payment, event_type="PAYMENT.CAPTURE.DENIED"))
    assert response.json()["result"] == "failed"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT and level(shop) == (5, 2)


def test_a_signature_paypal_does_not_verify_is_a_400_and_writes_nothing(client, fakes, order, shop):
    start(order)
    payment = Payment.objects.get()
    response = deliver(client, capture_event(payment), sig="Zm9yZ2Vk")

    assert response.status_code == 400 and response.json()["code"] == "invalid_webhook"
    assert WebhookEvent.objects.count() == 0
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and level(shop) == (5, 2)


def test_missing_signature_headers_are_a_400_without_asking_paypal(client, fakes, order):
    start(order)
    payment = Payment.objects.get()
    response = client.post(
        WEBHOOK_URL, data=json.dumps(capture_event(payment)), content_type="application/json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_webhook"
    assert body["detail"]["missing"] == [
        "PAYPAL-AUTH-ALGO",
        "PAYPAL-CERT-URL",
        "PAYPAL-TRANSMISSION-ID",
        "PAYPAL-TRANSMISSION-SIG",
        "PAYPAL-TRANSMISSION-TIME",
    ]
    assert fakes.calls("POST", "/v1/notifications/verify-webhook-signature") == []
    assert WebhookEvent.objects.count() == 0


def test_refund_order_refunds_the_capture_through_the_sdk_once(client, fakes, order):
    started = start(order)
    client.get(f"/en/pay/paypal/return/?token={started.provider_reference}")
    capture_id = Payment.objects.get().capture_reference

    refund = services.refund_order(order=order, reason="returned")
    again = services.refund_order(order=order, reason="returned")

    [call] = fakes.calls("POST", f"/v2/payments/captures/{capture_id}/refund")
    assert call.body == {"amount": {"currency_code": "EUR", "value": "25.00"}, "invoice_id": order.number}
    assert call.headers["PayPal-Request-Id"] == f"refund-{refund.pk}"
    assert again.pk == refund.pk and Refund.objects.count() == 1
    assert (refund.status, refund.amount) == (RefundStatus.SUCCEEDED, Decimal("25.00"))
    assert refund.provider_reference.startswith("REFUND")
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
