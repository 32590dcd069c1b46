"""The test provider: a hosted page on our own site with "Pay" and "Decline" buttons.

No network, no webhooks: the page calls ``payments.services.confirm_test_payment``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from payments.errors import InvalidWebhook

from .base import (
    CaptureResult,
    PaymentProvider,
    ProviderCapture,
    ProviderPayment,
    ProviderRefund,
    WebhookPayload,
)

if TYPE_CHECKING:
    from payments.models import Payment


class TestProvider(PaymentProvider):
    __test__ = False  # not a pytest class
    name = "test"

    def create(self, payment: Payment) -> ProviderPayment:
        return ProviderPayment(
            reference=f"test_{payment.id.hex}",
            redirect_url=reverse("payments:test-page", kwargs={"payment_id": payment.id}),
        )

    def capture(self, payment: Payment, **params: Any) -> ProviderCapture:
        succeed = params.get("succeed", True)
        if succeed:
            return ProviderCapture(CaptureResult.SUCCEEDED, capture_reference=f"test_cap_{payment.id.hex}")
        return ProviderCapture(CaptureResult.FAILED, reason="declined on the test page")

    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> ProviderRefund:
        return ProviderRefund(
            reference=f"test_re_{uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex}", succeeded=True
        )

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookPayload:
        raise InvalidWebhook("The test provider sends no webhooks.")
