"""Cart services: lines, coupon, merge and pricing, with exact figures; refusals change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import CustomerGroup
from inventory import services as inventory
from orders.models import Cart, CartStatus
from orders.services import cart as services
from pricing.errors import CouponUsedUp, InvalidCoupon, UnsupportedCurrency
from pricing.models import DiscountKind, PriceList, PriceListEntry
from pricing.services import set_currency_rate
from tests.concurrency import in_threads
from tests.factories import LocationFactory, UserFactory
from tests.orders.cart_support import coupon, lines_of, make_shop, promotion, stocked_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop()


@pytest.fixture
def cart():
    return Cart.objects.create()


# --- add / set / remove ---------------------------------------------------------------------------


def test_add_creates_a_line_then_adds_up(shop, cart):
    aja, tee, mug = shop

    first = services.add_to_cart(cart=cart, variant=tee, quantity=2)
    again = services.add_to_cart(cart=cart, variant=tee, quantity=1)
    services.add_to_cart(cart=cart, variant=mug, quantity=4)

    assert (first.pk, again.pk, again.quantity) == (first.pk, first.pk, 3)
    assert lines_of(cart) == [("TEE", 3), ("MUG", 4)]


@pytest.mark.parametrize("quantity", [0, -1, 100, 2.5, "3", True, None])
def test_add_refuses_a_bad_quantity_and_changes_nothing(shop, cart, quantity):
    _, tee, _ = shop
    services.add_to_cart(cart=cart, variant=tee, quantity=1)

    with pytest.raises(services.InvalidCartQuantity) as refused:
        services.add_to_cart(cart=cart, variant=tee, quantity=quantity)

    assert refused.value.code == "invalid_quantity"
    assert refused.value.message == "The quantity must be a whole number from 1 to 99."
    assert lines_of(cart) == [("TEE", 1)]


def test_a_line_never_holds_more_than_99(cart):
    aja = LocationFactory(code="AJA", sells_online=True)
    water = stocked_variant("WATER", location=aja, quantity=500)
    services.add_to_cart(cart=cart, variant=water, quantity=98)

    with pytest.raises(services.InvalidCartQuantity) as refused:
        services.add_to_cart(cart=cart, variant=water, quantity=2)

    assert refused.value.message == "You can order at most 99 of one product; your cart would hold 100."
    assert refused.value.detail == {"sku": "WATER", "quantity": 100, "max": 99}
    assert lines_of(cart) == [("WATER", 98)]


def test_add_refuses_more_than_one_online_location_has(shop, cart):
    aja, tee, _ = shop  # 5 at AJA
    bas = LocationFactory(code="BAS", sells_online=True)
    wh = LocationFactory(code="WH", sells_online=False)
    inventory.receive_stock(variant=tee, location=bas, quantity=4)
    inventory.receive_stock(variant=tee, location=wh, quantity=50)  # not sold online
    inventory.reserve_stock(variant=tee, location=aja, quantity=2, reference="C-1")  # AJA: 3 free

    services.add_to_cart(cart=cart, variant=tee, quantity=4)  # BAS can serve 4
    with pytest.raises(services.NotEnoughStock) as refused:
        services.add_to_cart(cart=cart, variant=tee, quantity=1)

    assert refused.value.http_status == 409
    assert refused.value.code == "insufficient_stock"
    assert refused.value.message == "Only 4 of TEE can be ordered online."
    assert refused.value.detail == {"sku": "TEE", "requested": 5, "available": 4}
    assert lines_of(cart) == [("TEE", 4)]


def test_add_out_of_stock_says_so(cart):
    aja = LocationFactory(code="AJA", sells_online=True)
    gone = stocked_variant("GONE", location=aja, quantity=0)

    with pytest.raises(services.NotEnoughStock, match="Sorry, GONE is out of stock online."):
        services.add_to_cart(cart=cart, variant=gone, quantity=1)
    assert lines_of(cart) == []


@pytest.mark.parametrize("field", ["variant", "product"])
def test_add_refuses_a_product_no_longer_sold(shop, cart, field):
    _, tee, _ = shop
    if field == "variant":
        tee.is_active = False
        tee.save()
    else:
        tee.product.is_published = False
        tee.product.save()

    with pytest.raises(services.ProductUnavailable) as refused:
        services.add_to_cart(cart=cart, variant=tee, quantity=1)

    assert (refused.value.code, refused.value.message) == ("product_unavailable", "TEE is no longer sold.")
    assert lines_of(cart) == []


@pytest.mark.parametrize("status", [CartStatus.CHECKED_OUT, CartStatus.MERGED])
def test_a_closed_cart_never_changes(shop, cart, status):
    _, tee, mug = shop
    services.add_to_cart(cart=cart, variant=tee, quantity=1)
    Cart.objects.filter(pk=cart.pk).update(status=status)

    for call in (
        lambda: services.add_to_cart(cart=cart, variant=mug, quantity=1),
        lambda: services.set_cart_line_quantity(cart=cart, variant=tee, quantity=2),
        lambda: services.remove_from_cart(cart=cart, variant=tee),
        lambda: services.remove_coupon(cart=cart),
    ):
        with pytest.raises(services.CartClosed):
            call()
    assert lines_of(cart) == [("TEE", 1)]


def test_set_quantity_changes_the_line_and_zero_removes_it(shop, cart):
    _, tee, mug = shop
    services.add_to_cart(cart=cart, variant=tee, quantity=1)
    services.add_to_cart(cart=cart, variant=mug, quantity=1)

    line = services.set_cart_line_quantity(cart=cart, variant=tee, quantity=5)
    removed = services.set_cart_line_quantity(cart=cart, variant=mug, quantity=0)

    assert (line.quantity, removed) == (5, None)
    assert lines_of(cart) == [("TEE", 5)]


def test_set_quantity_refusals_change_nothing(shop, cart):
    _, tee, mug = shop
    services.add_to_cart(cart=cart, variant=tee, quantity=2)

    with pytest.raises(services.NotEnoughStock):
        services.set_cart_line_quantity(cart=cart, variant=tee, quantity=6)
    for bad in (-1, 100, "2"):
        with pytest.raises(services.InvalidCartQuantity, match="from 0 to 99"):
            services.set_cart_line_quantity(cart=cart, variant=tee, quantity=bad)
    with pytest.raises(services.NotInCart) as refused:
        services.set_cart_line_quantity(cart=cart, variant=mug, quantity=1)

    assert (refused.value.code, refused.value.http_status) == ("not_in_cart", 404)
    assert lines_of(cart) == [("TEE", 2)]


def test_lowering_a_quantity_is_allowed_when_stock_has_gone(shop, cart):
    aja, tee, _ = shop
    services.add_to_cart(cart=cart, variant=tee, quantity=4)
    inventory.sell_stock(variant=tee, location=aja, quantity=5, reference="S-1")

    assert services.set_cart_line_quantity(cart=cart, variant=tee, quantity=3).quantity == 3


def test_remove_deletes_the_line_and_refuses_what_is_not_there(shop, cart):
    _, tee, mug = shop
    services.add_to_cart(cart=cart, variant=tee, quantity=1)
    services.add_to_cart(cart=cart, variant=mug, quantity=1)

    services.remove_from_cart(cart=cart, variant=tee)
    with pytest.raises(services.NotInCart):
        services.remove_from_cart(cart=cart, variant=tee)

    assert lines_of(cart) == [("MUG", 1)]


# --- coupon ---------------------------------------------------------------------------------------


def test_apply_coupon_keeps_the_normalised_code(shop, cart):
    _, tee, _ = shop
    coupon("BIENVENUE10")
    services.add_to_cart(cart=cart, variant=tee, quantity=3)  # 37.50

    applied = services.apply_coupon(cart=cart, code="  bienvenue10 ", user=None)

    cart.refresh_from_db()
    assert (applied.code, cart.coupon_code) == ("BIENVENUE10", "BIENVENUE10")


@pytest.mark.parametrize(
    ("code", "setup", "reason", "message"),
    [
        ("NOPE", {}, "unknown", "This coupon code does not exist."),
        ("", {}, "empty", "Enter a coupon code."),
        (
            "OLD",
            {"promotion_kwargs": {"ends_at": timezone.now() - dt.timedelta(hours=1)}},
            "expired",
            "This coupon has expired.",
        ),
        (
            "BIG",
            {"promotion_kwargs": {"min_basket_ttc": Decimal("50.00")}},
            "min_basket",
            "This coupon needs a basket of at least 50.00 EUR.",
        ),
    ],
)
def test_apply_coupon_refusals_keep_the_cart_as_it_was(shop, cart, code, setup, reason, message):
    _, tee, _ = shop
    if code in ("OLD", "BIG"):
        coupon(code, **setup)
    services.add_to_cart(cart=cart, variant=tee, quantity=3)  # 37.50

    with pytest.raises(InvalidCoupon) as refused:
        services.apply_coupon(cart=cart, code=code, user=None)

    assert (refused.value.code, refused.value.detail["reason"], refused.value.message) == (
        "invalid_coupon",
        reason,
        message,
    )
    cart.refresh_from_db()
    assert cart.coupon_code == ""


def test_min_basket_is_measured_after_the_automatic_promotion(shop, cart):
    _, tee, _ = shop
    promotion(name="Five off", kind=DiscountKind.FIXED, value=Decimal("8.00"))
    coupon("BIENVENUE10")  # min 30.00
    services.add_to_cart(cart=cart, variant=tee, quantity=3)  # 37.50 - 8.00 = 29.50

    with pytest.raises(InvalidCoupon) as refused:
        services.apply_coupon(cart=cart, code="BIENVENUE10", user=None)
    assert refused.value.detail["reason"] == "min_basket"


def test_used_up_and_already_used_coupons_are_refused(shop, cart):
    _, tee, _ = shop
    coupon("ONCE", max_uses=1, times_used=1)
    per_customer = coupon("MINE", max_uses_per_customer=1)
    user = UserFactory()
    per_customer.redemptions.create(customer=user, reference="W-1", discount_ttc=Decimal("3.75"))
    services.add_to_cart(cart=cart, variant=tee, quantity=3)

    with pytest.raises(CouponUsedUp) as used_up:
        services.apply_coupon(cart=cart, code="ONCE", user=None)
    with pytest.raises(InvalidCoupon) as mine:
        services.apply_coupon(cart=cart, code="MINE", user=user)

    assert (used_up.value.http_status, used_up.value.detail["reason"]) == (409, "used_up")
    assert mine.value.detail["reason"] == "customer_limit"
    cart.refresh_from_db()
    assert cart.coupon_code == ""


def test_a_coupon_needs_products_in_the_cart(cart):
    coupon("BIENVENUE10")
    with pytest.raises(InvalidCoupon, match="Add products before using a coupon."):
        services.apply_coupon(cart=cart, code="BIENVENUE10", user=None)


def test_remove_coupon(shop, cart):
    _, tee, _ = shop
    coupon("BIENVENUE10")
    services.add_to_cart(cart=cart, variant=tee, quantity=3)
    services.apply_coupon(cart=cart, code="BIENVENUE10", user=None)

    services.remove_coupon(cart=cart)

    cart.refresh_from_db()
    assert cart.coupon_code == ""


# --- pricing --------------------------------------------------------------------------------------


@pytest.fixture
def full_cart(shop, cart):
    """TEE x3 (37.50) + MUG x1 (6.00) = 43.50; 8.00 off from 40; BIENVENUE10: 10 % from 30."""
    _, tee, mug = shop
    promotion(name="Eight off from 40", kind=DiscountKind.FIXED, value=Decimal("8.00"), min_basket_ttc=40)
    promotion(name="Two off", kind=DiscountKind.FIXED, value=Decimal("2.00"))  # smaller: not applied
    coupon("BIENVENUE10")
    services.add_to_cart(cart=cart, variant=tee, quantity=3)
    services.add_to_cart(cart=cart, variant=mug, quantity=1)
    services.apply_coupon(cart=cart, code="BIENVENUE10", user=None)
    cart.refresh_from_db()
    return cart


def test_price_cart_applies_the_best_promotion_then_the_coupon_and_spreads_them(full_cart):
    priced = services.price_cart(cart=full_cart)

    assert [
        (ln.sku, ln.quantity, ln.unit_gross, ln.unit_net, ln.line_gross, ln.discount_gross)
        for ln in priced.lines
    ] == [
        ("TEE", 3, Decimal("12.50"), Decimal("10.4150"), Decimal("37.50"), Decimal("9.96")),
        ("MUG", 1, Decimal("6.00"), Decimal("5.0000"), Decimal("6.00"), Decimal("1.59")),
    ]
    assert priced.subtotal_gross == Decimal("43.50")
    assert priced.applied_promotions == [("Eight off from 40", Decimal("8.00"))]
    assert priced.promotion_discount == Decimal("8.00")
    assert priced.coupon_basket_gross == Decimal("35.50")
    assert (priced.coupon.code, priced.coupon_discount) == ("BIENVENUE10", Decimal("3.55"))
    assert priced.total_gross == Decimal("31.95")
    assert sum(ln.discount_gross for ln in priced.lines) == Decimal("11.55")
    assert (priced.currency, priced.total_gross_in_currency, priced.count) == ("EUR", Decimal("31.95"), 4)


@pytest.mark.parametrize(
    ("currency", "rate", "total", "subtotal"),
    [
        ("GBP", "0.860000", "27.48", "37.41"),  # 31.95 x 0.86 = 27.477
        ("USD", "1.080000", "34.51", "46.98"),  # 34.506; 46.98
        ("CHF", "0.940000", "30.03", "40.89"),  # 30.033; 40.89
    ],
)
def test_price_cart_converts_the_eur_total_once(full_cart, currency, rate, total, subtotal):
    set_currency_rate(currency=currency, rate=Decimal(rate))

    priced = services.price_cart(cart=full_cart, currency=currency)

    assert priced.total_gross == Decimal("31.95")  # EUR whatever the currency
    assert (priced.currency, priced.total_gross_in_currency) == (currency, Decimal(total))
    assert priced.subtotal_gross_in_currency == Decimal(subtotal)


def test_price_cart_refuses_a_currency_without_a_rate(full_cart):
    with pytest.raises(UnsupportedCurrency):
        services.price_cart(cart=full_cart, currency="GBP")


def test_price_cart_uses_the_customer_group_price_list(shop, cart):
    _, tee, _ = shop
    group = CustomerGroup.objects.create(code="pro", name="Pro", is_b2b=True)
    plist = PriceList.objects.create(code="pro", name="Pro", customer_group=group, priority=10)
    PriceListEntry.objects.create(price_list=plist, variant=tee, price_ht=Decimal("8.0000"))
    services.add_to_cart(cart=cart, variant=tee, quantity=2)

    retail = services.price_cart(cart=cart)
    pro = services.price_cart(cart=cart, customer_group=group)

    assert (retail.lines[0].unit_gross, retail.total_gross) == (Decimal("12.50"), Decimal("25.00"))
    assert (pro.lines[0].unit_gross, pro.lines[0].base_unit_gross, pro.total_gross) == (
        Decimal("9.60"),
        Decimal("12.50"),
        Decimal("19.20"),
    )


def test_a_kept_coupon_that_expired_is_left_out_with_the_reason(full_cart):
    full_cart.refresh_from_db()
    from pricing.models import Coupon

    promo = Coupon.objects.get(code="BIENVENUE10").promotion
    promo.starts_at = timezone.now() - dt.timedelta(days=3)
    promo.ends_at = timezone.now() - dt.timedelta(days=1)
    promo.save()

    priced = services.price_cart(cart=full_cart)

    assert (priced.coupon, priced.coupon_discount, priced.coupon_error) == (
        None,
        Decimal("0.00"),
        "This coupon has expired.",
    )
    assert priced.total_gross == Decimal("35.50")
    full_cart.refresh_from_db()
    assert full_cart.coupon_code == "BIENVENUE10"  # pricing never writes


def test_an_empty_cart_prices_to_zero(cart):
    priced = services.price_cart(cart=cart)
    assert (priced.lines, priced.subtotal_gross, priced.total_gross, priced.is_empty) == (
        [],
        Decimal("0.00"),
        Decimal("0.00"),
        True,
    )


def test_price_cart_takes_constant_queries(shop, cart, django_assert_num_queries):
    aja, tee, mug = shop
    for n in range(6):
        services.add_to_cart(cart=cart, variant=stocked_variant(f"X-{n}", location=aja), quantity=1)
    coupon("BIENVENUE10")
    services.apply_coupon(cart=cart, code="BIENVENUE10", user=None)
    cart.refresh_from_db()

    # lines + 2 prefetches, price lists, promotions, coupon
    with django_assert_num_queries(6):
        priced = services.price_cart(cart=cart)
    assert len(priced.lines) == 6


def test_weights_are_per_line(shop, cart):
    _, tee, _ = shop
    tee.weight_grams = 180
    tee.save()
    services.add_to_cart(cart=cart, variant=tee, quantity=3)

    priced = services.price_cart(cart=cart)
    assert (priced.lines[0].weight_grams, priced.weight_grams) == (540, 540)


# --- merge ----------------------------------------------------------------------------------------


def test_merge_adds_quantities_caps_them_and_closes_the_source(shop):
    aja, tee, mug = shop
    water = stocked_variant("WATER", location=aja, quantity=500)
    coupon("BIENVENUE10")
    user = UserFactory()
    source, target = Cart.objects.create(), Cart.objects.create(user=user)
    services.add_to_cart(cart=source, variant=tee, quantity=2)
    services.add_to_cart(cart=source, variant=water, quantity=60)
    services.add_to_cart(cart=target, variant=tee, quantity=1)
    services.add_to_cart(cart=target, variant=water, quantity=50)
    services.add_to_cart(cart=target, variant=mug, quantity=1)
    services.apply_coupon(cart=source, code="BIENVENUE10", user=None)
    source.refresh_from_db()

    merged = services.merge_carts(source=source, target=target)

    source.refresh_from_db()
    assert merged.pk == target.pk
    assert sorted(lines_of(target)) == [("MUG", 1), ("TEE", 3), ("WATER", 99)]
    assert (source.status, merged.coupon_code) == (CartStatus.MERGED, "BIENVENUE10")
    assert services.merge_carts(source=source, target=target).pk == target.pk  # a replay: nothing more
    assert sorted(lines_of(target)) == [("MUG", 1), ("TEE", 3), ("WATER", 99)]


def test_merge_drops_products_no_longer_sold_and_keeps_the_target_coupon(shop):
    _, tee, mug = shop
    source, target = Cart.objects.create(coupon_code="A"), Cart.objects.create(coupon_code="B")
    services.add_to_cart(cart=source, variant=tee, quantity=1)
    services.add_to_cart(cart=source, variant=mug, quantity=1)
    mug.is_active = False
    mug.save()

    services.merge_carts(source=source, target=target)

    target.refresh_from_db()
    assert (lines_of(target), target.coupon_code) == ([("TEE", 1)], "B")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_to_one_cart_all_count_and_never_pass_99():
    aja = LocationFactory(code="AJA", sells_online=True)
    water = stocked_variant("WATER", location=aja, quantity=500)
    cart = Cart.objects.create()

    def add(i: int) -> str:
        try:
            services.add_to_cart(cart=cart, variant=water, quantity=15)
        except services.InvalidCartQuantity:
            return "refused"
        return "added"

    outcomes = in_threads(8, add)

    assert sorted(outcomes) == ["added"] * 6 + ["refused"] * 2  # 6 x 15 = 90; a 7th would make 105
    assert lines_of(cart) == [("WATER", 90)]
