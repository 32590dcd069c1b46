"""Which providers exist, by name."""

from __future__ import annotations

from payments.errors import UnknownProvider

from .base import PaymentProvider


def provider_names() -> list[str]:
    return ["test", "stripe", "paypal"]


def get_provider(name: str) -> PaymentProvider:
    if name == "test":
        from .test import TestProvider

        return TestProvider()
    if name == "stripe":
        from .stripe import StripeProvider

        return StripeProvider()
    if name == "paypal":
        from .paypal import PayPalProvider

        return PayPalProvider()
    raise UnknownProvider(detail={"provider": name})
