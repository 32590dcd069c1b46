"""What checkout needs to price home delivery, without importing the app that knows the carriers.

Checkout (orders) sits below logistics (docs/architecture.md). Logistics owns carriers, zones and
rates and implements ``ShippingRates``, registered in ``logistics.apps.LogisticsConfig.ready()``;
checkout asks ``shipping_rates()``. The option and its two refusals are defined here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from core.errors import NotFound, ValidationFailed


class CountryNotServed(ValidationFailed):
    code = "country_not_served"
    default_message = "We do not deliver to this country."


class UnknownCarrier(NotFound):
    code = "unknown_carrier"
    default_message = "This carrier does not deliver this parcel."


@dataclass(frozen=True)
class ShippingOption:
    carrier: str  # the carrier's code
    name: str
    price: Decimal  # TTC, EUR; 0 when free
    regular_price: Decimal  # the band's price before the free-delivery threshold
    free_above: Decimal | None
    delivery_days: str
    zone: str

    @property
    def is_free(self) -> bool:
        return self.price == 0


class ShippingRates(Protocol):
    def shipping_options(
        self, *, country: str, weight_grams: int, basket_gross: Decimal
    ) -> list[ShippingOption]:
        """Per carrier serving the country, its cheapest option for the parcel; cheapest first.
        ``CountryNotServed`` when none."""
        ...

    def shipping_option(
        self, *, carrier: str, country: str, weight_grams: int, basket_gross: Decimal
    ) -> ShippingOption:
        """One carrier's option; ``UnknownCarrier`` when it does not deliver this parcel there."""
        ...


_rates: ShippingRates | None = None


def register_shipping_rates(implementation: ShippingRates) -> None:
    global _rates
    _rates = implementation


def shipping_rates() -> ShippingRates:
    if _rates is None:  # a configuration bug: logistics is not installed or not ready
        raise RuntimeError(
            "No ShippingRates registered: logistics.apps.LogisticsConfig.ready() registers it."
        )
    return _rates
