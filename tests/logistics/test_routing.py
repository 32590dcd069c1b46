"""Order routing (orders.services.routing): warehouse, ship-from-store, split, nowhere; checkout
reserves each line where the route sends it; paid orders get one shipment per location."""

from types import SimpleNamespace

import pytest

from inventory.models import Reservation, StockLevel
from logistics.fulfilment_models import Shipment, ShipmentStatus
from orders.services import checkout, routing
from orders.services.routing import RouteKind, RouteLine, route_lines
from tests.logistics.fulfil_support import paid_order, place, receive
from tests.logistics.shop import make_cart, make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop()


def loc(pk, code, name):
    return SimpleNamespace(pk=pk, code=code, name=name)


WH, AJA, BAS = loc(1, "WEB", "Warehouse"), loc(2, "AJA", "Ajaccio"), loc(3, "BAS", "Bastia")
TEE, MUG = 10, 20


def route(available, *lines):
    return route_lines(
        lines=[RouteLine(variant_id=v, sku=s, quantity=q) for v, s, q in lines],
        warehouse=WH,
        stores=[AJA, BAS],
        available=available,
    )


# --- the rule, a pure function ----------------------------------------------------------------------


def test_the_warehouse_ships_when_it_has_every_line():
    r = route({(TEE, 1): 2, (MUG, 1): 1, (TEE, 2): 9, (MUG, 2): 9}, (TEE, "TEE", 2), (MUG, "MUG", 1))
    assert r.kind == RouteKind.WAREHOUSE and r.line_locations() == [WH, WH]
    assert r.describe() == "Warehouse has every line"


def test_the_store_with_most_units_left_after_the_order_wins():
    available = {(TEE, 1): 5, (TEE, 2): 4, (MUG, 2): 3, (TEE, 3): 3, (MUG, 3): 5}
    r = route(available, (TEE, "TEE", 3), (MUG, "MUG", 3))
    # AJA keeps 1 + 0 = 1, BAS keeps 0 + 2 = 2: Bastia
    assert r.kind == RouteKind.STORE and r.main_location is BAS and r.line_locations() == [BAS, BAS]
    assert r.describe() == "Shipped from store Bastia: the warehouse lacks MUG"


def test_a_tie_between_stores_goes_to_the_first_code():
    available = {(MUG, 2): 3, (MUG, 3): 3}
    r = route(available, (MUG, "MUG", 2))
    assert r.main_location is AJA


def test_a_split_sends_the_warehouse_what_it_has_and_one_store_the_rest():
    available = {(TEE, 1): 5, (MUG, 2): 3, (TEE, 2): 1, (MUG, 3): 4}
    r = route(available, (TEE, "TEE", 3), (MUG, "MUG", 3))
    assert r.kind == RouteKind.SPLIT
    assert r.line_locations() == [WH, BAS]  # BAS keeps 1 mug, AJA 0
    assert r.main_location is WH
    assert r.describe() == "Split: the warehouse ships TEE; store Bastia ships MUG"


def test_nowhere_when_two_locations_cannot_cover_the_order():
    assert route({(TEE, 1): 5, (TEE, 2): 2}, (TEE, "TEE", 6)) is None  # a line is never cut in two
    # the warehouse has nothing of it and no store has everything
    assert route({(TEE, 2): 5, (MUG, 3): 5}, (TEE, "TEE", 1), (MUG, "MUG", 1)) is None


def test_one_variant_on_two_lines_needs_both_quantities_at_one_place():
    r = route({(TEE, 1): 3, (TEE, 2): 4}, (TEE, "TEE", 2), (TEE, "TEE", 2))
    assert r.kind == RouteKind.STORE and r.main_location is AJA


# --- with stock levels (checkout) -------------------------------------------------------------------


def test_warehouse_route_at_checkout(shop):
    options = checkout.delivery_options(cart=make_cart((shop.tee, 2), (shop.mug, 1)), country="FR")
    assert options.home.available and options.home.routing == "Warehouse has every line"
    order = place((shop.tee, 2), (shop.mug, 1))
    assert order.location == shop.warehouse and order.routing == "Warehouse has every line"
    assert {r.location_id for r in Reservation.objects.filter(reference=order.number)} == {shop.warehouse.pk}


def test_ship_from_store_at_checkout_reserves_at_the_store(shop):
    # WEB: TEE 5 MUG 2; AJA: TEE 4 MUG 3 after this; BAS: TEE 3 MUG 3 after this.
    receive(shop.tee, shop.aja, 2)
    receive(shop.mug, shop.aja, 3)
    receive(shop.tee, shop.bas, 1)
    receive(shop.mug, shop.bas, 2)
    cart = make_cart((shop.tee, 3), (shop.mug, 3))
    options = checkout.delivery_options(cart=cart, country="FR")
    assert options.home.available and options.home.missing == []
    assert options.home.routing == "Shipped from store Ajaccio: the warehouse lacks MUG"  # AJA keeps 1, BAS 0

    order = place((shop.tee, 3), (shop.mug, 3))

    assert order.location == shop.aja
    assert order.routing == "Shipped from store Ajaccio: the warehouse lacks MUG"
    assert StockLevel.objects.get(variant=shop.mug, location=shop.aja).reserved == 3
    assert StockLevel.objects.get(variant=shop.tee, location=shop.aja).reserved == 3
    assert StockLevel.objects.get(variant=shop.tee, location=shop.warehouse).reserved == 0


def test_split_at_checkout_reserves_each_line_where_it_ships(shop, django_capture_on_commit_callbacks):
    receive(shop.mug, shop.aja, 3)  # AJA: TEE 2 MUG 3 (cannot ship TEE 3); BAS: TEE 2 MUG 1
    order = paid_order(django_capture_on_commit_callbacks, (shop.tee, 3), (shop.mug, 3))

    assert order.location == shop.warehouse
    assert order.routing == "Split: the warehouse ships TEE; store Ajaccio ships MUG"
    reservations = Reservation.objects.filter(reference=order.number)
    assert {(r.variant_id, r.location_id, r.quantity, r.status) for r in reservations} == {
        (shop.mug.pk, shop.aja.pk, 3, "committed"),
        (shop.tee.pk, shop.warehouse.pk, 3, "committed"),
    }
    shipments = list(Shipment.objects.filter(order=order).order_by("id"))
    assert [(s.location.code, s.status, s.carrier, s.routing) for s in shipments] == [
        ("WEB", ShipmentStatus.TO_PICK, "colissimo", order.routing),
        ("AJA", ShipmentStatus.TO_PICK, "colissimo", order.routing),
    ]
    assert [[(sl.order_line.sku, sl.quantity) for sl in s.lines.all()] for s in shipments] == [
        [("TEE", 3)],
        [("MUG", 3)],
    ]
    assert shipments[0].number.startswith("EXP-") and shipments[0].number != shipments[1].number


def test_nowhere_refuses_home_delivery(shop):
    options = checkout.delivery_options(cart=make_cart((shop.tee, 6)), country="FR")
    assert not options.home.available and options.home.routing == ""
    assert [(m.sku, m.available) for m in options.home.missing] == [("TEE", 5)]
    from inventory.errors import InsufficientStock

    with pytest.raises(InsufficientStock):
        place((shop.tee, 6))


def test_plan_route_reads_the_stock_in_one_query(shop, django_assert_num_queries):
    warehouse, stores = routing.home_warehouse(), routing.shipping_stores()
    with django_assert_num_queries(1):
        r = routing.plan_route(lines=[RouteLine(shop.tee.pk, "TEE", 1)], warehouse=warehouse, stores=stores)
    assert r is not None and r.kind == RouteKind.WAREHOUSE


def test_the_options_api_says_where_it_ships_from(shop):
    from rest_framework.test import APIClient

    receive(shop.mug, shop.aja, 3)
    cart = make_cart((shop.tee, 3), (shop.mug, 3))
    response = APIClient().post(
        "/api/v1/checkout/options/", {"cart": str(cart.token), "country": "FR"}, format="json"
    )
    home = response.json()["home_delivery"]
    assert (home["available"], home["ships_from"], home["missing"]) == (True, ["WEB", "AJA"], [])
    assert (
        home["routing"] == "Scindée : l'entrepôt expédie TEE ; la boutique Ajaccio expédie MUG"
    )  # French API default


def test_a_store_route_keeps_the_prices_the_shopper_saw(shop):
    """A price list of the shipping store does not reprice a web order it ships (checkout priced it
    at the warehouse)."""
    from decimal import Decimal

    from pricing.models import Channel, PriceList, PriceListEntry

    store_list = PriceList.objects.create(
        code="aja-any", name="Ajaccio", channel=Channel.ANY, location=shop.aja
    )
    PriceListEntry.objects.create(price_list=store_list, variant=shop.mug, price_ht=Decimal("1.0000"))
    receive(shop.mug, shop.aja, 3)
    order = place((shop.mug, 3))
    assert order.location == shop.aja
    assert order.lines.get().total_gross == Decimal("18.00")  # 3 x 6.00, the web price


def test_shipments_are_created_once_and_missing_ones_caught_up(shop, capsys):
    from django.core.management import call_command

    from logistics import services_fulfilment as fulfilment

    order = place((shop.tee, 1))
    checkout.confirm_test_payment(order=order)  # paid, but the after-commit subscriber has not run
    assert not Shipment.objects.exists()
    call_command("create_missing_shipments")
    assert "1 shipment(s) created." in capsys.readouterr().out
    first = list(Shipment.objects.all())
    assert fulfilment.create_shipments_for_order(order.pk) == first  # idempotent
    call_command("create_missing_shipments")
    assert Shipment.objects.count() == 1
