"""The interface every payment provider implements, and the values it returns.

Providers make network calls and nothing else: they never touch the database, so services call
them outside any transaction and record the result afterwards.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from payments.models import Payment

# Currencies whose smallest unit is the unit itself (none of ours today, listed for safety).
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD", "XAF", "XOF"}


def to_minor_units(amount: Decimal, currency: str) -> int:
    """12.50 EUR -> 1250: the one place amounts become the integers providers want."""
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def money_string(amount: Decimal) -> str:
    """12.5 -> "12.50": PayPal wants a decimal string."""
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class ProviderPayment:
    """What ``create`` answers: the provider's id and where to send the shopper."""

    reference: str
    redirect_url: str
    client_secret: str = ""


class CaptureResult(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PENDING = "pending"  # not decided yet (the shopper is still paying, or the webhook will tell)


@dataclass(frozen=True)
class ProviderCapture:
    result: CaptureResult
    capture_reference: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ProviderRefund:
    reference: str
    succeeded: bool
    reason: str = ""


class WebhookOutcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    IGNORED = "ignored"  # an event type we do not act on


@dataclass(frozen=True)
class WebhookPayload:
    """A verified webhook, reduced to what the services need."""

    event_id: str
    type: str
    outcome: WebhookOutcome
    provider_reference: str = ""  # the id we stored on Payment.provider_reference
    capture_reference: str = ""
    payment_id: str = ""  # our Payment id when the provider echoes it back (metadata, custom_id)
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class PaymentProvider(ABC):
    name: str

    @abstractmethod
    def create(self, payment: Payment) -> ProviderPayment:
        """Open the payment at the provider (idempotent on ``payment.id``)."""

    @abstractmethod
    def capture(self, payment: Payment, **params: Any) -> ProviderCapture:
        """Confirm or capture after the shopper came back; say whether the money is ours."""

    @abstractmethod
    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> ProviderRefund:
        """Give ``amount`` back to the shopper."""

    @abstractmethod
    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookPayload:
        """Verify the signature and read the event; raise ``InvalidWebhook`` when it does not verify."""
