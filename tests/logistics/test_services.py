from decimal import Decimal

import pytest
from django.utils import translation

from demo.seed import logistics as demo
from logistics.models import Carrier, ShippingRate, ShippingZone
from logistics.services import shipping_option, shipping_options
from orders.shipping import CountryNotServed, UnknownCarrier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # messages are asserted in their English source
        yield


@pytest.fixture
def rates():
    return demo.seed()


def summary(options):
    return [(o.carrier, o.price) for o in options]


def test_demo_seed_is_idempotent(rates):
    assert rates == {"carriers": 3, "zones": 3, "rates": 16}
    assert demo.seed() == rates
    assert (Carrier.objects.count(), ShippingZone.objects.count(), ShippingRate.objects.count()) == (3, 3, 16)


def test_cheapest_band_that_fits_per_carrier_cheapest_first(rates):
    options = shipping_options(country="fr", weight_grams=600, basket_gross=Decimal("30.00"))
    assert summary(options) == [
        ("laposte", Decimal("5.50")),
        ("colissimo", Decimal("7.90")),
        ("dpd", Decimal("8.90")),
    ]
    assert options[1].regular_price == Decimal("7.90")
    assert options[1].free_above == Decimal("60.00")
    assert options[1].delivery_days == "2-3"
    assert options[1].zone == "France"


def test_a_band_takes_a_parcel_of_exactly_its_weight(rates):
    options = shipping_options(country="FR", weight_grams=500, basket_gross=Decimal("10.00"))
    assert summary(options) == [
        ("laposte", Decimal("3.90")),
        ("colissimo", Decimal("5.90")),
        ("dpd", Decimal("8.90")),
    ]


def test_free_from_the_carriers_threshold_only(rates):
    options = shipping_options(country="FR", weight_grams=600, basket_gross=Decimal("60.00"))
    assert summary(options) == [
        ("colissimo", Decimal("0.00")),
        ("laposte", Decimal("5.50")),
        ("dpd", Decimal("8.90")),
    ]
    assert options[0].is_free and options[0].regular_price == Decimal("7.90")
    just_below = shipping_options(country="FR", weight_grams=600, basket_gross=Decimal("59.99"))
    assert ("colissimo", Decimal("7.90")) in summary(just_below)


def test_heavier_parcels_lose_the_small_carriers(rates):
    assert summary(shipping_options(country="FR", weight_grams=1500, basket_gross=Decimal("20"))) == [
        ("colissimo", Decimal("7.90")),
        ("dpd", Decimal("8.90")),
    ]


def test_eu_and_world_zones(rates):
    assert summary(shipping_options(country="DE", weight_grams=600, basket_gross=Decimal("20"))) == [
        ("colissimo", Decimal("14.50")),
        ("dpd", Decimal("16.90")),
    ]
    for country in ("GB", "CH", "US"):
        options = shipping_options(country=country, weight_grams=600, basket_gross=Decimal("500"))
        assert summary(options) == [("colissimo", Decimal("24.90"))]
        assert options[0].zone == "United Kingdom, Switzerland and the world"


def test_unserved_country_is_a_clear_error(rates):
    ShippingZone.objects.filter(name__startswith="United Kingdom").delete()
    with pytest.raises(CountryNotServed) as exc:
        shipping_options(country="US", weight_grams=600, basket_gross=Decimal("20"))
    assert exc.value.code == "country_not_served"
    assert exc.value.http_status == 400
    assert exc.value.message == "We do not deliver to US."
    assert exc.value.detail == {"country": "US"}


@pytest.mark.parametrize("country", ["", "F", "FRA", "12"])
def test_malformed_country_is_refused(rates, country):
    with pytest.raises(CountryNotServed):
        shipping_options(country=country, weight_grams=100, basket_gross=Decimal("20"))


def test_too_heavy_for_every_carrier(rates):
    with pytest.raises(CountryNotServed) as exc:
        shipping_options(country="FR", weight_grams=30001, basket_gross=Decimal("20"))
    assert exc.value.message == "No carrier takes a 30001 g parcel to FR."


def test_inactive_rates_and_carriers_are_not_offered(rates):
    Carrier.objects.filter(code="laposte").update(is_active=False)
    ShippingRate.objects.filter(carrier__code="colissimo", max_weight_grams=2000, zone__name="France").update(
        is_active=False
    )
    assert summary(shipping_options(country="FR", weight_grams=600, basket_gross=Decimal("20"))) == [
        ("dpd", Decimal("8.90")),
        ("colissimo", Decimal("11.90")),
    ]


def test_shipping_option_of_one_carrier(rates):
    option = shipping_option(carrier="dpd", country="FR", weight_grams=600, basket_gross=Decimal("20"))
    assert (option.carrier, option.price, option.name) == ("dpd", Decimal("8.90"), "DPD")
    with pytest.raises(UnknownCarrier) as exc:
        shipping_option(carrier="laposte", country="FR", weight_grams=1500, basket_gross=Decimal("20"))
    assert exc.value.code == "unknown_carrier"
    assert exc.value.detail == {"carrier": "laposte", "available": ["colissimo", "dpd"]}


def test_options_cost_a_constant_number_of_queries(rates, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        shipping_options(country="FR", weight_grams=600, basket_gross=Decimal("20"))
