"""Checkout services: delivery options, start_checkout, stock, coupon, idempotency, payment outcome."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from inventory.errors import InsufficientStock, UnknownLocation
from inventory.models import Reservation, StockLevel
from logistics.models import ShippingZone
from orders.models import CartStatus, DeliveryMethod, Order, OrderStatus
from orders.services import checkout
from orders.services.checkout import CartNotOpen, EmptyCart, InvalidAddress, ProviderNotAvailable
from orders.shipping import CountryNotServed, UnknownCarrier
from payments import services as payments
from payments.models import Payment
from pricing.errors import InvalidCoupon
from pricing.models import Coupon, CouponRedemption
from tests.factories import UserFactory
from tests.logistics.shop import ADDRESS, make_cart, make_coupon, make_shop

pytestmark = pytest.mark.django_db

URL = "/en/checkout/done/{number}/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # messages are asserted in their English source
        yield


@pytest.fixture
def shop():
    return make_shop()


def level(variant, location):
    lv = StockLevel.objects.get(variant=variant, location=location)
    return lv.on_hand, lv.reserved


def start(cart, **kwargs):
    args = {
        "user": None,
        "email": "ana@example.com",
        "phone": "+33 6 12 34 56 78",
        "language": "en",
        "delivery_method": DeliveryMethod.HOME,
        "shipping_address": ADDRESS,
        "carrier": "colissimo",
        "provider": "test",
        "return_url": URL,
        "cancel_url": URL,
    }
    return checkout.start_checkout(cart=cart, **{**args, **kwargs})


def nothing_written():
    return (
        Order.objects.count(),
        Reservation.objects.count(),
        Payment.objects.count(),
        CouponRedemption.objects.count(),
    ) == (0, 0, 0, 0)


# --- delivery options -----------------------------------------------------------------------------


def test_delivery_options_home_from_warehouse_and_stores(shop, django_assert_max_num_queries):
    cart = make_cart((shop.tee, 2), (shop.mug, 1))
    with django_assert_max_num_queries(12):
        options = checkout.delivery_options(cart=cart, country="fr")
    assert options.country == "FR"
    assert options.priced.total_gross == Decimal("31.00")
    home = options.home
    assert home.available and home.warehouse == shop.warehouse and home.missing == []
    assert home.weight_grams == 800
    assert [(o.carrier, o.price) for o in home.options] == [
        ("laposte", Decimal("5.50")),
        ("colissimo", Decimal("7.90")),
        ("dpd", Decimal("8.90")),
    ]
    stores = {s.location.code: s for s in options.stores}
    assert list(stores) == ["AJA", "BAS"]  # Propriano does not sell online
    assert stores["BAS"].ok
    assert not stores["AJA"].ok
    assert stores["AJA"].missing == [checkout.MissingLine(sku="MUG", name="Mug", requested=1, available=0)]


def test_home_delivery_not_offered_when_the_warehouse_falls_short(shop):
    cart = make_cart((shop.tee, 6))
    options = checkout.delivery_options(cart=cart, country="FR")
    assert not options.home.available
    assert options.home.missing == [
        checkout.MissingLine(sku="TEE", name="Tee-shirt", requested=6, available=5)
    ]
    assert [s.ok for s in options.stores] == [False, False]


def test_reserved_units_do_not_count_as_available(shop):
    start(make_cart((shop.mug, 1)), delivery_method=DeliveryMethod.CLICK_AND_COLLECT, location_code="BAS")
    stores = checkout.click_collect_stores(cart=make_cart((shop.mug, 1)))
    assert [(s.location.code, s.ok) for s in stores] == [("AJA", False), ("BAS", False)]
    assert stores[1].missing[0].available == 0


def test_unserved_country_leaves_only_click_and_collect(shop):
    ShippingZone.objects.filter(name__startswith="United Kingdom").delete()
    options = checkout.delivery_options(cart=make_cart((shop.tee, 1)), country="US")
    assert not options.home.available
    assert options.home.error == "We do not deliver to US."
    assert [s.ok for s in options.stores] == [True, True]


# --- start_checkout -------------------------------------------------------------------------------


def test_home_delivery_order_reserves_at_the_warehouse_and_starts_the_payment(shop, settings):
    settings.CHECKOUT_RESERVATION_TTL_SECONDS = 600
    cart = make_cart((shop.tee, 2), (shop.mug, 1))
    before = timezone.now()

    order, payment = start(cart)

    assert order.status == OrderStatus.PENDING_PAYMENT
    assert (order.delivery_method, order.location, order.carrier) == ("home", shop.warehouse, "colissimo")
    assert (order.email, order.phone, order.language) == ("ana@example.com", "+33 6 12 34 56 78", "en")
    assert order.shipping_address == {**ADDRESS, "phone": ""}
    # 25.00 + 6.00 + 7.90 delivery; net 20.83 + 5.00 + 6.58
    assert order.shipping_gross == Decimal("7.90")
    assert order.discount_gross == Decimal("0.00")
    assert (order.total_gross, order.total_net, order.total_vat) == (
        Decimal("38.90"),
        Decimal("32.41"),
        Decimal("6.49"),
    )
    assert order.total_gross_eur == Decimal("38.90")
    lines = list(order.lines.all())
    assert [(line.sku, line.quantity, line.total_gross) for line in lines] == [
        ("TEE", 2, Decimal("25.00")),
        ("MUG", 1, Decimal("6.00")),
    ]
    assert level(shop.tee, shop.warehouse) == (5, 2)
    assert level(shop.mug, shop.warehouse) == (2, 1)
    reservation = lines[0].reservation
    assert reservation.reference == order.number
    expiry = reservation.expires_at - before
    assert dt.timedelta(seconds=599) <= expiry <= dt.timedelta(seconds=610)
    cart.refresh_from_db()
    assert (cart.status, cart.order) == (CartStatus.CHECKED_OUT, order)
    assert payment.provider == "test"
    assert payment.redirect_url.endswith(f"/pay/test/{payment.payment_id}/")
    stored = Payment.objects.get()
    assert (stored.order, stored.amount, stored.return_url) == (
        order,
        Decimal("38.90"),
        URL.format(number=order.number),
    )


def test_click_and_collect_reserves_at_the_store_free_of_charge(shop):
    order, payment = start(
        make_cart((shop.tee, 2), (shop.mug, 1)),
        delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
        location_code="BAS",
        shipping_address=None,
        carrier="",
    )
    assert (order.location, order.delivery_method, order.carrier) == (shop.bas, "click_collect", "")
    assert (order.shipping_gross, order.total_gross, order.shipping_address) == (
        Decimal("0.00"),
        Decimal("31.00"),
        {},
    )
    assert level(shop.tee, shop.bas) == (2, 2)
    assert level(shop.tee, shop.warehouse) == (5, 0)
    assert payment is not None


def test_free_delivery_above_the_carriers_threshold(shop):
    order, _ = start(make_cart((shop.tee, 5)))  # 62.50 >= 60.00
    assert (order.shipping_gross, order.total_gross) == (Decimal("0.00"), Decimal("62.50"))


def test_coupon_is_spread_over_the_lines_and_redeemed_once(shop):
    coupon = make_coupon("TEN", "10", max_uses=5)
    user = UserFactory(email="ana@example.com")
    cart = make_cart((shop.tee, 2), (shop.mug, 1), user=user, coupon_code="TEN")

    order, _ = start(cart, user=user)

    # 10 % of 31.00 = 3.10: 2.50 on the tees, 0.60 on the mug; 27.90 + 7.90 delivery
    assert order.discount_gross == Decimal("3.10")
    assert [(line.discount_gross, line.total_gross) for line in order.lines.all()] == [
        (Decimal("2.50"), Decimal("22.50")),
        (Decimal("0.60"), Decimal("5.40")),
    ]
    assert order.total_gross == Decimal("35.80")
    assert order.customer == user
    coupon.refresh_from_db()
    assert coupon.times_used == 1
    redemption = CouponRedemption.objects.get()
    assert (redemption.reference, redemption.discount_ttc, redemption.customer) == (
        order.number,
        Decimal("3.10"),
        user,
    )


def test_discount_cents_add_up_exactly(shop):
    make_coupon("THIRD", "33.33")
    order, _ = start(make_cart((shop.tee, 1), (shop.mug, 1), coupon_code="THIRD"))
    lines = list(order.lines.all())
    # 33.33 % of 18.50 = 6.17 (rounded once), spread 4.17 + 2.00
    assert sum(line.discount_gross for line in lines) == order.discount_gross == Decimal("6.17")
    assert sum(line.total_gross for line in lines) + order.shipping_gross == order.total_gross
    assert all(line.total_net + line.total_vat == line.total_gross for line in lines)


def test_used_up_coupon_is_dropped_not_redeemed(shop):
    make_coupon("ONCE", max_uses=1)
    cart = make_cart((shop.tee, 1), coupon_code="ONCE")
    Coupon.objects.filter(code="ONCE").update(times_used=1)
    order, _ = start(cart)  # price_cart drops a used-up coupon: the order has no discount
    assert order.discount_gross == Decimal("0.00")
    assert CouponRedemption.objects.count() == 0


def test_coupon_rechecked_at_redemption_refuses_and_writes_nothing(shop):
    # an anonymous shopper whose e-mail already used a once-per-customer coupon: the cart preview
    # cannot know the e-mail, the redemption inside the checkout transaction does
    coupon = make_coupon("ONEEACH", max_uses_per_customer=1)
    start(make_cart((shop.tee, 1), coupon_code="ONEEACH"))
    cart = make_cart((shop.tee, 1), coupon_code="ONEEACH")
    orders_before = Order.objects.count()

    with pytest.raises(InvalidCoupon) as exc:
        start(cart)

    assert exc.value.detail["reason"] == "customer_limit"
    assert Order.objects.count() == orders_before == 1
    assert Reservation.objects.count() == 1
    assert CouponRedemption.objects.count() == 1
    coupon.refresh_from_db()
    assert coupon.times_used == 1
    cart.refresh_from_db()
    assert cart.status == CartStatus.OPEN


def test_missing_stock_raises_before_any_charge_and_writes_nothing(shop):
    coupon = make_coupon("TEN")
    cart = make_cart((shop.tee, 1), (shop.mug, 1), coupon_code="TEN")

    with pytest.raises(InsufficientStock) as exc:
        start(cart, delivery_method=DeliveryMethod.CLICK_AND_COLLECT, location_code="AJA")

    assert exc.value.code == "insufficient_stock"
    assert exc.value.message == "Only 0 left of MUG at Ajaccio; your cart was not charged."
    assert exc.value.detail["sku"] == "MUG"
    assert exc.value.detail["location"] == "AJA"
    assert nothing_written()
    assert level(shop.tee, shop.aja) == (2, 0)
    coupon.refresh_from_db()
    assert coupon.times_used == 0
    cart.refresh_from_db()
    assert (cart.status, cart.order) == (CartStatus.OPEN, None)


def test_same_idempotency_key_gives_the_same_order_and_payment(shop):
    cart = make_cart((shop.tee, 1))
    first, pay1 = start(cart, idempotency_key="k-1")
    again, pay2 = start(cart, idempotency_key="k-1")
    assert again.pk == first.pk
    assert pay2.payment_id == pay1.payment_id
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
    assert level(shop.tee, shop.warehouse) == (5, 1)


def test_same_cart_started_twice_without_a_key_gives_one_order(shop):
    cart = make_cart((shop.tee, 1))
    first, _ = start(cart)
    again, _ = start(cart)
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert Reservation.objects.count() == 1


def test_key_reused_for_another_cart_is_refused(shop):
    user = UserFactory()
    start(make_cart((shop.tee, 1), user=user), user=user, idempotency_key="k-1")
    other = make_cart((shop.mug, 1), user=user)
    with pytest.raises(checkout.IdempotencyKeyReused):
        start(other, user=user, idempotency_key="k-1")
    assert Order.objects.count() == 1


def test_a_paid_cart_cannot_be_ordered_again(shop):
    cart = make_cart((shop.tee, 1))
    order, payment = start(cart)
    payments.confirm_test_payment(payment_id=payment.payment_id, succeed=True)
    with pytest.raises(CartNotOpen):
        start(cart)
    assert Order.objects.count() == 1


# --- payment outcome ------------------------------------------------------------------------------


def test_paid_home_delivery_sells_the_reserved_units(shop):
    order, payment = start(make_cart((shop.tee, 2)))
    payments.confirm_test_payment(payment_id=payment.payment_id, succeed=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert level(shop.tee, shop.warehouse) == (3, 0)


def test_declined_payment_keeps_the_order_waiting_with_its_stock_held(shop):
    order, payment = start(make_cart((shop.tee, 2), (shop.mug, 1)))
    payments.confirm_test_payment(payment_id=payment.payment_id, succeed=False)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert level(shop.tee, shop.warehouse) == (5, 2)
    assert level(shop.mug, shop.warehouse) == (2, 1)
    assert not Order.objects.filter(status=OrderStatus.PAID).exists()
    assert set(Reservation.objects.values_list("status", flat=True)) == {"active"}


# --- bad input: refused, nothing written ----------------------------------------------------------


def test_empty_cart(shop):
    with pytest.raises(EmptyCart) as exc:
        start(make_cart())
    assert (exc.value.code, exc.value.http_status) == ("empty_cart", 400)
    assert nothing_written()


def test_unknown_or_offline_store(shop):
    for code in ("XXX", "PRO", "WEB", ""):
        with pytest.raises(UnknownLocation) as exc:
            start(
                make_cart((shop.tee, 1)), delivery_method=DeliveryMethod.CLICK_AND_COLLECT, location_code=code
            )
        assert exc.value.code == "unknown_location"
    assert nothing_written()


def test_unserved_country(shop):
    ShippingZone.objects.filter(name__startswith="United Kingdom").delete()
    with pytest.raises(CountryNotServed) as exc:
        start(make_cart((shop.tee, 1)), shipping_address={**ADDRESS, "country": "US"})
    assert exc.value.message == "We do not deliver to US."
    assert nothing_written()


def test_unknown_carrier(shop):
    with pytest.raises(UnknownCarrier):
        start(make_cart((shop.tee, 1)), carrier="fedex")
    with pytest.raises(checkout.ValidationFailed):
        start(make_cart((shop.tee, 1)), carrier="")
    assert nothing_written()


@pytest.mark.parametrize("email", ["", "ana", "ana@", "@example.com", "ana example@x.com"])
def test_bad_email(shop, email):
    with pytest.raises(checkout.ValidationFailed) as exc:
        start(make_cart((shop.tee, 1)), email=email)
    assert exc.value.detail["field"] == "email"
    assert exc.value.message == "Enter a valid e-mail address."
    assert nothing_written()


def test_bad_phone(shop):
    with pytest.raises(checkout.ValidationFailed) as exc:
        start(make_cart((shop.tee, 1)), phone="call me")
    assert exc.value.detail == {"field": "phone"}
    assert nothing_written()


def test_missing_address_fields(shop):
    with pytest.raises(InvalidAddress) as exc:
        start(make_cart((shop.tee, 1)), shipping_address={"first_name": "Ana", "line1": " ", "country": "FR"})
    assert exc.value.code == "invalid_address"
    assert exc.value.detail["missing"] == ["last_name", "line1", "postal_code", "city"]
    assert exc.value.message == "Please fill in the delivery address: last name, address, postal code, city."
    with pytest.raises(InvalidAddress):
        start(make_cart((shop.tee, 1)), shipping_address=None)
    with pytest.raises(InvalidAddress):
        start(make_cart((shop.tee, 1)), shipping_address={**ADDRESS, "country": "France"})
    assert nothing_written()


def test_provider_not_available(shop):
    with pytest.raises(ProviderNotAvailable) as exc:
        start(make_cart((shop.tee, 1)), provider="paypal")
    assert exc.value.code == "provider_not_available"
    assert exc.value.detail["available"] == ["test"]
    assert nothing_written()


def test_unknown_delivery_method(shop):
    with pytest.raises(checkout.ValidationFailed) as exc:
        start(make_cart((shop.tee, 1)), delivery_method="in_store")
    assert exc.value.detail["field"] == "delivery_method"
    assert nothing_written()


def test_order_in_the_shoppers_currency_converts_the_eur_total_once(shop):
    from pricing.services import set_currency_rate

    set_currency_rate(currency="GBP", rate=Decimal("0.850000"))
    order, payment = start(make_cart((shop.tee, 2), (shop.mug, 1)), currency="GBP")
    # 38.90 EUR (31.00 + 7.90 delivery) x 0.85 = 33.065 -> 33.07 GBP
    assert (order.currency, order.total_gross_eur, order.total_gross) == (
        "GBP",
        Decimal("38.90"),
        Decimal("33.07"),
    )
    assert order.total_net + order.total_vat == order.total_gross
    assert Payment.objects.get().amount == Decimal("33.07")


def test_place_web_order_refuses_a_discount_larger_than_the_basket(shop):
    from orders.services import LineInput, place_web_order

    with pytest.raises(checkout.ValidationFailed) as exc:
        place_web_order(
            lines=[LineInput(shop.tee, 1)],
            location=shop.warehouse,
            delivery_method=DeliveryMethod.HOME,
            email="ana@example.com",
            order_discount=Decimal("12.51"),
        )
    assert exc.value.detail == {"discount": "12.51", "basket": "12.50"}
    assert nothing_written()


def test_place_web_order_spreads_the_discount_and_adds_shipping(shop):
    from orders.services import LineInput, place_web_order

    order = place_web_order(
        lines=[LineInput(shop.tee, 1), LineInput(shop.mug, 2)],  # 12.50 + 12.00
        location=shop.warehouse,
        delivery_method=DeliveryMethod.HOME,
        email="ana@example.com",
        order_discount=Decimal("1.00"),
        shipping_gross=Decimal("5.90"),
        carrier="colissimo",
        phone="0612345678",
        language="it",
        shipping_address=ADDRESS,
    )
    # 1.00 x 12.50/24.50 = 0.5102 -> 0.51, and 0.49: exactly 1.00
    assert [line.discount_gross for line in order.lines.all()] == [Decimal("0.51"), Decimal("0.49")]
    assert (order.discount_gross, order.shipping_gross, order.total_gross) == (
        Decimal("1.00"),
        Decimal("5.90"),
        Decimal("29.40"),
    )
    assert (order.phone, order.language, order.carrier) == ("0612345678", "it", "colissimo")
