"""Payment providers behind one small interface (``base.PaymentProvider``), one module each.

``get_provider(name)`` is the registry; services never import a provider module directly.
"""

from .base import (  # noqa: F401
    CaptureResult,
    PaymentProvider,
    ProviderPayment,
    ProviderRefund,
    WebhookOutcome,
    WebhookPayload,
    to_minor_units,
)
from .registry import get_provider, provider_names  # noqa: F401

__all__ = [
    "CaptureResult",
    "PaymentProvider",
    "ProviderPayment",
    "ProviderRefund",
    "WebhookOutcome",
    "WebhookPayload",
    "get_provider",
    "provider_names",
    "to_minor_units",
]
