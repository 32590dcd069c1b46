"""Stripe: a PaymentIntent per payment, confirmed in the browser with the Payment Element, decided
by the signed webhooks ``payment_intent.succeeded`` / ``payment_intent.payment_failed``.

``settings.STRIPE_API_BASE`` points the client elsewhere (the tests' local fake).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings
from django.urls import reverse

from core import safe_json
from payments.errors import InvalidWebhook, ProviderError

from .base import (
    CaptureResult,
    PaymentProvider,
    ProviderCapture,
    ProviderPayment,
    ProviderRefund,
    WebhookOutcome,
    WebhookPayload,
    to_minor_units,
)

if TYPE_CHECKING:
    from payments.models import Payment

EVENT_OUTCOMES = {
    "payment_intent.succeeded": WebhookOutcome.SUCCEEDED,
    "payment_intent.payment_failed": WebhookOutcome.FAILED,
    "payment_intent.canceled": WebhookOutcome.CANCELLED,
}


def client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=settings.PAYMENTS_NETWORK_RETRIES,
    )


class StripeProvider(PaymentProvider):
    name = "stripe"

    def create(self, payment: Payment) -> ProviderPayment:
        try:
            intent = client().v1.payment_intents.create(
                params={
                    "amount": to_minor_units(payment.amount, payment.currency),
                    "currency": payment.currency.lower(),
                    "metadata": {"order_number": payment.order.number, "payment_id": str(payment.id)},
                    "automatic_payment_methods": {"enabled": True},
                },
                options={"idempotency_key": str(payment.id)},
            )
        except stripe.StripeError as exc:
            raise ProviderError(detail={"provider": self.name, "error": _describe(exc)}) from exc
        return ProviderPayment(
            reference=intent.id,
            client_secret=intent.client_secret or "",
            redirect_url=reverse("payments:stripe-page", kwargs={"payment_id": payment.id}),
        )

    def capture(self, payment: Payment, **params: Any) -> ProviderCapture:
        """Ask Stripe how the PaymentIntent stands (the webhook says the same, maybe later)."""
        try:
            intent = client().v1.payment_intents.retrieve(payment.provider_reference)
        except stripe.StripeError as exc:
            raise ProviderError(detail={"provider": self.name, "error": _describe(exc)}) from exc
        if intent.status == "succeeded":
            return ProviderCapture(CaptureResult.SUCCEEDED, capture_reference=intent.id)
        if intent.status == "canceled":
            return ProviderCapture(CaptureResult.FAILED, reason="canceled at Stripe")
        return ProviderCapture(CaptureResult.PENDING)

    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> ProviderRefund:
        try:
            refund = client().v1.refunds.create(
                params={
                    "payment_intent": payment.provider_reference,
                    "amount": to_minor_units(amount, payment.currency),
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise ProviderError(detail={"provider": self.name, "error": _describe(exc)}) from exc
        return ProviderRefund(
            reference=refund.id,
            succeeded=refund.status in ("succeeded", "pending"),
            reason=refund.status or "",
        )

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookPayload:
        signature = headers.get("Stripe-Signature") or headers.get("stripe-signature")
        if not settings.STRIPE_WEBHOOK_SECRET:
            raise InvalidWebhook("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).")
        if not signature:
            raise InvalidWebhook("The Stripe-Signature header is missing.")
        tolerance = settings.STRIPE_WEBHOOK_TOLERANCE
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=tolerance
            )
        except stripe.SignatureVerificationError as exc:
            raise InvalidWebhook("The Stripe signature does not match this payload.") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidWebhook("The Stripe webhook body is not JSON.") from exc
        data = safe_json.loads(payload)
        # The library refuses a signature older than the tolerance but not one dated in the future:
        # a signature stamped ahead of time would stay replayable until long after. |now - t| bounds both.
        if abs(time.time() - _signed_at(signature)) > tolerance:
            raise InvalidWebhook("The Stripe signature is not dated within the tolerance.")
        obj = (data.get("data") or {}).get("object") or {}
        if not isinstance(obj, dict) or not data.get("id") or not data.get("type"):
            raise InvalidWebhook("The Stripe event has no id, type or object.")
        outcome = EVENT_OUTCOMES.get(data["type"], WebhookOutcome.IGNORED)
        error = obj.get("last_payment_error") or {}
        return WebhookPayload(
            event_id=str(event.id),
            type=str(data["type"]),
            outcome=outcome,
            provider_reference=str(obj.get("id", "")) if obj.get("object") == "payment_intent" else "",
            capture_reference=str(obj.get("id", "")),
            payment_id=str((obj.get("metadata") or {}).get("payment_id", "")),
            reason=str(error.get("message", ""))[:250] if isinstance(error, dict) else "",
            data=data,
        )


def _signed_at(signature: str) -> int:
    """The ``t=`` of a ``Stripe-Signature`` header the library has already verified."""
    for part in signature.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            return int(value)
    raise InvalidWebhook("The Stripe signature has no timestamp.")


def _describe(exc: stripe.StripeError) -> str:
    return f"{type(exc).__name__}: {exc.user_message or str(exc)}"[:250]
