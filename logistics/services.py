"""What home delivery costs: ``shipping_options`` for a country, a parcel weight and a basket.

Rounding: rate prices are stored TTC, in EUR, to the cent; nothing here rounds again.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from orders.shipping import CountryNotServed, ShippingOption, UnknownCarrier

from .models import ShippingRate, ShippingZone

WORLD = "*"


def zone_for_country(country: str) -> ShippingZone:
    """The zone listing ``country``, else the catch-all zone (``["*"]``); CountryNotServed if none."""
    code = (country or "").strip().upper()
    fallback = None
    for zone in ShippingZone.objects.all():
        codes = [c.upper() for c in zone.countries or []]
        if code and code in codes:
            return zone
        if WORLD in codes:
            fallback = zone
    if fallback is None or len(code) != 2 or not code.isalpha():
        raise CountryNotServed(
            _("We do not deliver to %(country)s.") % {"country": code or "?"}, detail={"country": code}
        )
    return fallback


def shipping_options(*, country: str, weight_grams: int, basket_gross: Decimal) -> list[ShippingOption]:
    """Per active carrier serving the country, its cheapest band that takes the parcel; cheapest first.

    ``CountryNotServed`` when no zone covers the country or no band takes a parcel that heavy.
    """
    zone = zone_for_country(country)
    rates = (
        ShippingRate.objects.filter(
            zone=zone, is_active=True, carrier__is_active=True, max_weight_grams__gte=max(weight_grams, 0)
        )
        .select_related("carrier")
        .order_by("carrier__name", "price", "max_weight_grams")
    )
    best: dict[int, ShippingRate] = {}
    for rate in rates:
        best.setdefault(rate.carrier_id, rate)
    if not best:
        raise CountryNotServed(
            _("No carrier takes a %(weight)s g parcel to %(country)s.")
            % {"weight": weight_grams, "country": country.upper()},
            detail={"country": country.upper(), "weight_grams": weight_grams},
        )
    options = [
        ShippingOption(
            carrier=rate.carrier.code,
            name=rate.carrier.name,
            price=Decimal("0.00")
            if rate.free_above is not None and basket_gross >= rate.free_above
            else rate.price,
            regular_price=rate.price,
            free_above=rate.free_above,
            delivery_days=rate.carrier.delivery_days,
            zone=zone.name,
        )
        for rate in best.values()
    ]
    return sorted(options, key=lambda o: (o.price, o.name))


def shipping_option(
    *, carrier: str, country: str, weight_grams: int, basket_gross: Decimal
) -> ShippingOption:
    """The option of one carrier; ``UnknownCarrier`` when it does not deliver this parcel there."""
    options = shipping_options(country=country, weight_grams=weight_grams, basket_gross=basket_gross)
    for option in options:
        if option.carrier == carrier:
            return option
    raise UnknownCarrier(
        _("%(carrier)s does not deliver this parcel to %(country)s.")
        % {"carrier": carrier or "?", "country": country.upper()},
        detail={"carrier": carrier, "available": [o.carrier for o in options]},
    )


class LogisticsShippingRates:
    """``orders.shipping.ShippingRates`` from the carriers' rate tables (registered in ``ready()``)."""

    def shipping_options(
        self, *, country: str, weight_grams: int, basket_gross: Decimal
    ) -> list[ShippingOption]:
        return shipping_options(country=country, weight_grams=weight_grams, basket_gross=basket_gross)

    def shipping_option(
        self, *, carrier: str, country: str, weight_grams: int, basket_gross: Decimal
    ) -> ShippingOption:
        return shipping_option(
            carrier=carrier, country=country, weight_grams=weight_grams, basket_gross=basket_gross
        )
