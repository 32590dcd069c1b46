from decimal import Decimal

import pytest

from core.models import NumberSequence
from inventory import services as inventory
from inventory.errors import InsufficientStock
from inventory.models import Reservation, StockLevel, StockMovement
from orders import services
from orders.models import DeliveryMethod, Order, OrderStatus
from orders.services import InvalidTransition, LineInput
from pricing.errors import UnsupportedCurrency
from pricing.services import set_currency_rate
from tests.factories import LocationFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    aja = LocationFactory(code="AJA")
    tee = VariantFactory(sku="TEE", product__base_price_ht=Decimal("10.4150"))  # 12.50 TTC
    mug = VariantFactory(sku="MUG", product__base_price_ht=Decimal("5.0000"))  # 6.00 TTC
    inventory.receive_stock(variant=tee, location=aja, quantity=5)
    inventory.receive_stock(variant=mug, location=aja, quantity=1)
    return aja, tee, mug


def level(variant, location):
    lv = StockLevel.objects.get(variant=variant, location=location)
    return lv.on_hand, lv.reserved


def test_web_order_snapshots_prices_reserves_stock_and_numbers_gaplessly(shop):
    aja, tee, mug = shop
    order = services.place_web_order(
        lines=[LineInput(tee, 3, discount_gross=Decimal("2.50")), LineInput(mug, 1)],
        location=aja,
        delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
        email="ana@example.com",
    )
    second = services.place_web_order(
        lines=[LineInput(tee, 1)], location=aja, delivery_method=DeliveryMethod.HOME, email="bo@example.com"
    )

    assert order.number.endswith("-000001") and second.number.endswith("-000002")
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert [(ln.sku, ln.total_gross, ln.total_net, ln.total_vat) for ln in order.lines.all()] == [
        ("TEE", Decimal("35.00"), Decimal("29.17"), Decimal("5.83")),
        ("MUG", Decimal("6.00"), Decimal("5.00"), Decimal("1.00")),
    ]
    assert (order.total_gross, order.total_net, order.total_vat) == (
        Decimal("41.00"),
        Decimal("34.17"),
        Decimal("6.83"),
    )
    assert level(tee, aja) == (5, 4) and level(mug, aja) == (1, 1)
    assert [c.to_status for c in order.status_changes.all()] == [OrderStatus.PENDING_PAYMENT]


def test_an_order_that_cannot_be_reserved_writes_nothing_and_burns_no_number(shop):
    aja, tee, mug = shop
    with pytest.raises(InsufficientStock):
        services.place_web_order(
            lines=[LineInput(tee, 1), LineInput(mug, 2)],
            location=aja,
            delivery_method=DeliveryMethod.HOME,
            email="ana@example.com",
        )
    assert Order.objects.count() == 0 and Reservation.objects.count() == 0
    assert level(tee, aja) == (5, 0)
    assert not NumberSequence.objects.filter(last_value__gt=0).exists()
    ok = services.place_web_order(
        lines=[LineInput(tee, 1)], location=aja, delivery_method=DeliveryMethod.HOME, email="ana@example.com"
    )
    assert ok.number.endswith("-000001")


def test_paying_commits_the_reservations_and_cancelling_releases_them(shop):
    aja, tee, mug = shop
    paid = services.place_web_order(
        lines=[LineInput(tee, 2)], location=aja, delivery_method=DeliveryMethod.HOME, email="a@example.com"
    )
    cancelled = services.place_web_order(
        lines=[LineInput(tee, 1)], location=aja, delivery_method=DeliveryMethod.HOME, email="b@example.com"
    )
    services.transition_order(order=paid, to_status=OrderStatus.PAID, note="test provider")
    services.transition_order(order=cancelled, to_status=OrderStatus.CANCELLED, note="shopper left")

    assert level(tee, aja) == (3, 0)
    assert sum(StockMovement.objects.filter(variant=tee).values_list("quantity", flat=True)) == 3
    assert [(c.from_status, c.to_status) for c in paid.status_changes.all()] == [
        ("", OrderStatus.PENDING_PAYMENT),
        (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID),
    ]


def test_a_transition_outside_the_table_is_refused_and_changes_nothing(shop):
    aja, tee, _ = shop
    order = services.place_web_order(
        lines=[LineInput(tee, 1)], location=aja, delivery_method=DeliveryMethod.HOME, email="a@example.com"
    )
    services.transition_order(order=order, to_status=OrderStatus.CANCELLED)
    with pytest.raises(InvalidTransition):
        services.transition_order(order=order, to_status=OrderStatus.PAID)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and level(tee, aja) == (5, 0)
    assert order.status_changes.count() == 2


def test_order_in_another_currency_is_recorded_in_it_and_in_eur(shop):
    aja, tee, _ = shop
    set_currency_rate(currency="CHF", rate=Decimal("0.930000"))
    order = services.place_web_order(
        lines=[LineInput(tee, 2)],
        location=aja,
        delivery_method=DeliveryMethod.HOME,
        email="a@example.com",
        currency="CHF",
    )
    assert (order.total_gross_eur, order.total_gross, order.currency) == (
        Decimal("25.00"),
        Decimal("23.25"),
        "CHF",
    )
    assert order.total_net + order.total_vat == order.total_gross
    with pytest.raises(UnsupportedCurrency):
        services.place_web_order(
            lines=[LineInput(tee, 1)],
            location=aja,
            delivery_method=DeliveryMethod.HOME,
            email="a@example.com",
            currency="JPY",
        )


def test_replaying_a_reference_returns_the_first_order(shop):
    aja, tee, _ = shop
    first = services.place_web_order(
        lines=[LineInput(tee, 1)],
        location=aja,
        delivery_method=DeliveryMethod.HOME,
        email="a@example.com",
        reference="cart-42",
    )
    again = services.place_web_order(
        lines=[LineInput(tee, 1)],
        location=aja,
        delivery_method=DeliveryMethod.HOME,
        email="a@example.com",
        reference="cart-42",
    )
    assert again.pk == first.pk and level(tee, aja) == (5, 1)
