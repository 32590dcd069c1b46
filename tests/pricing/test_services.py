import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import CustomerGroup
from pricing import services
from pricing.errors import CouponUsedUp, InvalidCoupon, UnsupportedCurrency
from pricing.models import (
    Channel,
    Coupon,
    CouponRedemption,
    DiscountKind,
    PriceList,
    PriceListEntry,
    Promotion,
)
from tests.concurrency import in_threads
from tests.factories import LocationFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 12, 0))


def make_promotion(**kwargs) -> Promotion:
    defaults = {
        "name": "Autumn",
        "kind": DiscountKind.PERCENT,
        "value": Decimal("10"),
        "starts_at": NOW - dt.timedelta(days=1),
        "ends_at": NOW + dt.timedelta(days=1),
    }
    return Promotion.objects.create(**{**defaults, **kwargs})


def test_base_price_gross_is_rounded_once_to_the_cent():
    variant = VariantFactory(product__base_price_ht=Decimal("10.4150"))  # 12.498 TTC at 20 %
    price = services.unit_price(variant=variant, at=NOW)
    assert (price.net, price.gross, price.price_list) == (Decimal("10.4150"), Decimal("12.50"), None)


def test_b2b_group_price_list_wins_over_base_price_and_shows_the_discount():
    variant = VariantFactory(product__base_price_ht=Decimal("20.0000"))
    group = CustomerGroup.objects.create(code="pro", name="Professionals", is_b2b=True)
    plist = PriceList.objects.create(code="pro", name="Pro", customer_group=group, priority=10)
    PriceListEntry.objects.create(price_list=plist, variant=variant, price_ht=Decimal("17.0000"))

    assert services.unit_price(variant=variant, at=NOW).net == Decimal("20.0000")
    b2b = services.unit_price(variant=variant, customer_group=group, at=NOW)
    assert (b2b.net, b2b.gross, b2b.price_list, b2b.discount_percent) == (
        Decimal("17.0000"),
        Decimal("20.40"),
        "pro",
        Decimal("15.0"),
    )


def test_store_price_list_applies_only_in_that_store_and_channel():
    variant = VariantFactory()
    aja, bas = LocationFactory(code="AJA"), LocationFactory(code="BAS")
    plist = PriceList.objects.create(code="aja", name="Ajaccio", location=aja, channel=Channel.STORE)
    PriceListEntry.objects.create(price_list=plist, variant=variant, price_ht=Decimal("8.0000"))

    assert services.unit_price(variant=variant, channel=Channel.STORE, location=aja, at=NOW).net == Decimal(
        "8.0000"
    )
    assert services.unit_price(variant=variant, channel=Channel.STORE, location=bas, at=NOW).net == Decimal(
        "10.0000"
    )
    assert services.unit_price(variant=variant, channel=Channel.WEB, location=aja, at=NOW).net == Decimal(
        "10.0000"
    )


def test_convert_uses_the_staff_rate_and_refuses_unknown_currencies():
    services.set_currency_rate(currency="GBP", rate=Decimal("0.850000"))
    assert services.convert(amount=Decimal("19.99"), currency="GBP") == Decimal("16.99")
    assert services.convert(amount=Decimal("19.99"), currency="EUR") == Decimal("19.99")
    with pytest.raises(UnsupportedCurrency):
        services.convert(amount=Decimal("1"), currency="USD")  # no rate yet
    with pytest.raises(UnsupportedCurrency):
        services.set_currency_rate(currency="GBP", rate=Decimal("0"))


def test_automatic_promotions_respect_store_minimum_basket_and_dates():
    aja = LocationFactory(code="AJA")
    national = make_promotion(name="National 10 %")
    make_promotion(name="Ajaccio 5 EUR", kind=DiscountKind.FIXED, value=Decimal("5"), location=aja)
    make_promotion(name="Big basket", min_basket_ttc=Decimal("100"))
    make_promotion(name="Over", starts_at=NOW - dt.timedelta(days=9), ends_at=NOW - dt.timedelta(days=2))

    web = services.automatic_promotions(basket_ttc=Decimal("40"), channel=Channel.WEB, at=NOW)
    assert [p.name for p in web] == [national.name]
    store = services.automatic_promotions(
        basket_ttc=Decimal("40"), channel=Channel.STORE, location=aja, at=NOW
    )
    assert [p.name for p in store] == ["Ajaccio 5 EUR", "National 10 %"]
    assert services.promotion_discount(promotion=national, basket_ttc=Decimal("33.35")) == Decimal("3.34")


def test_fixed_discount_never_exceeds_the_basket():
    promotion = make_promotion(kind=DiscountKind.FIXED, value=Decimal("50"))
    assert services.promotion_discount(promotion=promotion, basket_ttc=Decimal("12.00")) == Decimal("12.00")


@pytest.mark.parametrize(
    ("promotion_kwargs", "coupon_kwargs", "call_kwargs", "reason"),
    [
        ({}, {}, {"code": "NOPE"}, "unknown"),
        ({"is_active": False}, {}, {}, "inactive"),
        (
            {"starts_at": NOW + dt.timedelta(days=1), "ends_at": NOW + dt.timedelta(days=2)},
            {},
            {},
            "not_started",
        ),
        ({"starts_at": NOW - dt.timedelta(days=2), "ends_at": NOW}, {}, {}, "expired"),
        ({"min_basket_ttc": Decimal("50")}, {}, {}, "min_basket"),
        ({"channel": Channel.STORE}, {}, {}, "wrong_channel"),
        ({}, {"max_uses": 1, "times_used": 1}, {}, "used_up"),
    ],
)
def test_check_coupon_refuses_with_a_reason(promotion_kwargs, coupon_kwargs, call_kwargs, reason):
    Coupon.objects.create(
        promotion=make_promotion(requires_coupon=True, **promotion_kwargs), code="WELCOME", **coupon_kwargs
    )
    kwargs = {
        "code": "welcome",
        "basket_ttc": Decimal("30"),
        "channel": Channel.WEB,
        "at": NOW,
        **call_kwargs,
    }
    with pytest.raises(InvalidCoupon) as exc:
        services.check_coupon(**kwargs)
    assert exc.value.detail["reason"] == reason


def test_store_coupon_is_refused_elsewhere():
    aja, bas = LocationFactory(code="AJA"), LocationFactory(code="BAS")
    Coupon.objects.create(promotion=make_promotion(requires_coupon=True, location=aja), code="AJA5")
    assert services.check_coupon(
        code="aja5", basket_ttc=Decimal("10"), channel=Channel.STORE, location=aja, at=NOW
    )
    with pytest.raises(InvalidCoupon) as exc:
        services.check_coupon(
            code="AJA5", basket_ttc=Decimal("10"), channel=Channel.STORE, location=bas, at=NOW
        )
    assert exc.value.detail["reason"] == "wrong_location"


def test_redeem_counts_uses_enforces_the_per_customer_limit_and_replays_by_reference():
    coupon = Coupon.objects.create(
        promotion=make_promotion(requires_coupon=True), code="TEN", max_uses_per_customer=1
    )
    shopper = UserFactory()
    first = services.redeem_coupon(
        code="ten", basket_ttc=Decimal("80"), reference="W-1", channel=Channel.WEB, customer=shopper, at=NOW
    )
    again = services.redeem_coupon(
        code="ten", basket_ttc=Decimal("80"), reference="W-1", channel=Channel.WEB, customer=shopper, at=NOW
    )
    assert again.pk == first.pk and first.discount_ttc == Decimal("8.00")
    with pytest.raises(InvalidCoupon) as exc:
        services.redeem_coupon(
            code="TEN",
            basket_ttc=Decimal("80"),
            reference="W-2",
            channel=Channel.WEB,
            customer=shopper,
            at=NOW,
        )
    assert exc.value.detail["reason"] == "customer_limit"
    coupon.refresh_from_db()
    assert coupon.times_used == 1 and CouponRedemption.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_uses_of_a_single_use_coupon_exactly_one_wins():
    coupon = Coupon.objects.create(promotion=make_promotion(requires_coupon=True), code="ONCE", max_uses=1)

    def use(i: int) -> str:
        try:
            services.redeem_coupon(
                code="ONCE",
                basket_ttc=Decimal("50"),
                reference=f"W-{i}",
                channel=Channel.WEB,
                customer_email=f"c{i}@example.com",
                at=NOW,
            )
        except CouponUsedUp:
            return "used_up"
        return "won"

    outcomes = in_threads(10, use)

    assert sorted(outcomes) == ["used_up"] * 9 + ["won"]
    coupon.refresh_from_db()
    assert coupon.times_used == 1
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 1
