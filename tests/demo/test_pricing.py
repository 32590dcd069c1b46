"""demo.seed.pricing.seed: rates, promotions and coupons the demo relies on; re-runnable."""

from decimal import Decimal

import pytest

from accounts.models import CustomerGroup
from demo.seed import pricing as demo
from pricing import services
from pricing.errors import InvalidCoupon
from pricing.models import Channel, Coupon, CurrencyRate, PriceList, Promotion
from tests.factories import LocationFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_seed_creates_rates_promotions_coupons_and_b2b_prices_and_can_run_twice():
    LocationFactory(code="AJA")
    CustomerGroup.objects.create(code="hotels", name="Hôtels", is_b2b=True)
    variant = VariantFactory(product__base_price_ht=Decimal("10.0000"))

    first = demo.seed()
    Coupon.objects.filter(code="MERCI-01").update(times_used=1)
    second = demo.seed()

    assert first == second == demo.PricingDemo(rates=3, promotions=5, coupons=12, price_list_entries=1)
    assert dict(CurrencyRate.objects.values_list("currency", "rate")) == {
        "GBP": Decimal("0.860000"),
        "USD": Decimal("1.080000"),
        "CHF": Decimal("0.940000"),
    }
    assert Promotion.objects.count() == 5 and Coupon.objects.count() == 12
    assert Coupon.objects.get(code="MERCI-01").times_used == 1  # a re-run keeps uses
    assert services.unit_price(
        variant=variant, customer_group=CustomerGroup.objects.get(code="hotels")
    ).gross == Decimal("10.20")
    assert PriceList.objects.get(code="hotels-pro").entries.count() == 1

    welcome = services.check_coupon(code="bienvenue10", basket_ttc=Decimal("30.00"), channel=Channel.WEB)
    assert services.promotion_discount(promotion=welcome.promotion, basket_ttc=Decimal("30.00")) == Decimal(
        "3.00"
    )
    with pytest.raises(InvalidCoupon) as small:
        services.check_coupon(code="BIENVENUE10", basket_ttc=Decimal("29.99"), channel=Channel.WEB)
    with pytest.raises(InvalidCoupon) as expired:
        services.check_coupon(code="ETE20", basket_ttc=Decimal("100"), channel=Channel.WEB)
    assert (small.value.detail["reason"], expired.value.detail["reason"]) == ("min_basket", "expired")
    national = services.automatic_promotions(basket_ttc=Decimal("80.00"), channel=Channel.WEB)
    assert [p.name for p in national] == ["Fête de l'automne : -5 € dès 80 €"]
