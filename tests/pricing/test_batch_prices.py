"""Batch reads added for the cart: ``unit_prices`` (one query, same answer as ``unit_price``),
``currency_rate`` and ``offered_currencies``."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import CustomerGroup
from catalog.models import Variant
from pricing import services
from pricing.errors import UnsupportedCurrency
from pricing.models import Channel, PriceList, PriceListEntry
from tests.factories import LocationFactory, VariantFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def test_unit_prices_agree_with_unit_price_in_one_query(django_assert_num_queries):
    group = CustomerGroup.objects.create(code="pro", name="Pro", is_b2b=True)
    aja = LocationFactory(code="AJA")
    a = VariantFactory(product__base_price_ht=Decimal("10.4150"))
    b = VariantFactory(product__base_price_ht=Decimal("20.0000"))
    c = VariantFactory(product__base_price_ht=Decimal("7.0000"), price_ht_override=Decimal("6.5000"))
    low = PriceList.objects.create(code="low", name="Low", customer_group=group, priority=1)
    high = PriceList.objects.create(code="high", name="High", customer_group=group, priority=5)
    store = PriceList.objects.create(code="aja", name="AJA", location=aja, channel=Channel.STORE, priority=9)
    old = PriceList.objects.create(code="old", name="Old", priority=99, ends_at=NOW - dt.timedelta(days=1))
    PriceListEntry.objects.create(price_list=low, variant=b, price_ht=Decimal("15.0000"))
    PriceListEntry.objects.create(price_list=high, variant=b, price_ht=Decimal("17.0000"))
    PriceListEntry.objects.create(price_list=store, variant=a, price_ht=Decimal("1.0000"))
    PriceListEntry.objects.create(price_list=old, variant=c, price_ht=Decimal("1.0000"))
    variants = list(Variant.objects.select_related("product__vat_rate").order_by("pk"))

    for group_arg in (None, group):
        with django_assert_num_queries(1):
            batch = services.unit_prices(variants=variants, customer_group=group_arg, at=NOW)
        single = {v.pk: services.unit_price(variant=v, customer_group=group_arg, at=NOW) for v in variants}
        assert batch == single
    assert [p.gross for p in services.unit_prices(variants=variants, customer_group=group).values()] == [
        Decimal("12.50"),
        Decimal("20.40"),
        Decimal("7.80"),
    ]


def test_unit_prices_of_nothing_costs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert services.unit_prices(variants=[]) == {}


def test_currency_rate_and_offered_currencies():
    assert services.offered_currencies() == ["EUR"]
    services.set_currency_rate(currency="CHF", rate=Decimal("0.94"))
    services.set_currency_rate(currency="GBP", rate=Decimal("0.86"))

    assert services.offered_currencies() == ["EUR", "GBP", "CHF"]
    assert (services.currency_rate("EUR"), services.currency_rate("GBP")) == (
        Decimal("1"),
        Decimal("0.860000"),
    )
    assert services.convert(amount=Decimal("10.005"), currency="EUR") == Decimal("10.01")
    assert services.convert(amount=Decimal("31.95"), currency="GBP") == Decimal("27.48")
    with pytest.raises(UnsupportedCurrency):
        services.currency_rate("USD")
