"""The products' availability table: what the shop's "in stock at this store" filter reads.

Given stock written through the real services, the table says what the levels say; the filter gives
the products the old read of the levels gave; ``check_availability`` finds and mends a drift.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Exists, F, OuterRef

from catalog.models import Product
from core import events
from inventory import services
from inventory.errors import InsufficientStock
from inventory.models import ProductAvailability, StockLevel
from inventory.selectors import availability_mismatches, product_available_at, stores_with_stock
from inventory.services import CountLine, InitialStock, StockLine
from tests.concurrency import in_threads
from tests.factories import LocationFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def units(product, location) -> int | None:
    return (
        ProductAvailability.objects.filter(product=product, location=location)
        .values_list("available_units", flat=True)
        .first()
    )


def old_available_at(code: str | None) -> Exists:
    """The filter as it read the levels before the table (kept here to compare against)."""
    levels = StockLevel.objects.filter(
        variant__product=OuterRef("pk"),
        variant__is_active=True,
        on_hand__gt=F("reserved"),
        location__is_active=True,
    )
    if code:
        levels = levels.filter(location__code=code)
    return Exists(levels)


def test_the_filter_gives_the_products_the_levels_gave_on_a_mixed_set():
    # given: two stores, one closed store, and products in every state
    s1, s2 = LocationFactory(code="s1"), LocationFactory(code="s2")
    closed = LocationFactory(code="closed", is_active=False)
    in_stock, reserved_out, zero, only_closed, only_s2, inactive_variant, never = (
        ProductFactory(name=n)
        for n in ("in stock", "reserved out", "zero", "closed", "s2", "inactive variant", "never")
    )
    a = VariantFactory(product=in_stock)
    VariantFactory(product=in_stock)  # a second variant with nothing
    services.receive_stock(variant=a, location=s1, quantity=3)
    b = VariantFactory(product=reserved_out)
    services.receive_stock(variant=b, location=s1, quantity=2)
    services.reserve_stock(variant=b, location=s1, quantity=2)
    c = VariantFactory(product=zero)
    services.receive_stock(variant=c, location=s1, quantity=1)
    services.sell_stock(variant=c, location=s1, quantity=1)
    services.receive_stock(variant=VariantFactory(product=only_closed), location=closed, quantity=5)
    services.receive_stock(variant=VariantFactory(product=only_s2), location=s2, quantity=4)
    off = VariantFactory(product=inactive_variant, is_active=False)
    services.receive_stock(variant=off, location=s1, quantity=6)
    VariantFactory(product=never)

    # then: per store and anywhere, the same products as the old read, and the ones we expect
    for code in ("s1", "s2", "closed", None):
        new = set(Product.objects.filter(product_available_at(code)).values_list("name", flat=True))
        old = set(Product.objects.filter(old_available_at(code)).values_list("name", flat=True))
        assert new == old, code
    assert set(Product.objects.filter(product_available_at("s1")).values_list("name", flat=True)) == {
        "in stock"
    }
    assert set(Product.objects.filter(product_available_at(None)).values_list("name", flat=True)) == {
        "in stock",
        "s2",
    }
    assert [s.code for s in stores_with_stock(Product.objects.values("pk"))] == ["s1", "s2"]
    assert availability_mismatches() == (5, [])  # no row for the inactive variant's product


def test_every_stock_path_keeps_the_row_right(store, other_store):
    product = ProductFactory()
    small, large = VariantFactory(product=product), VariantFactory(product=product)

    services.receive_stock(variant=small, location=store, quantity=5)
    services.receive_stock(variant=large, location=store, quantity=2)
    assert units(product, store) == 7
    services.sell_many(lines=[StockLine(small, 1), StockLine(large, 1)], location=store)
    assert units(product, store) == 5
    reservation = services.reserve_stock(variant=small, location=store, quantity=2)
    assert units(product, store) == 3
    services.release_reservation(reservation=reservation)
    assert units(product, store) == 5
    held = services.reserve_many(lines=[StockLine(small, 1), StockLine(large, 1)], location=store)
    assert units(product, store) == 3
    services.commit_many(reservations=held)
    assert units(product, store) == 3  # committed units were already out of the available figure
    services.transfer_stock(variant=small, from_location=store, to_location=other_store, quantity=2)
    assert (units(product, store), units(product, other_store)) == (1, 2)
    services.adjust_stock(variant=small, location=store, counted=4)
    assert units(product, store) == 4
    services.count_many(lines=[CountLine(small, other_store, 0)])
    assert units(product, other_store) == 0
    services.return_to_stock(variant=large, location=store, quantity=1)
    services.record_loss(variant=small, location=store, quantity=4)
    assert units(product, store) == 1
    assert availability_mismatches() == (2, [])


def test_a_refused_sale_leaves_the_row_as_it_was(store, variant):
    services.receive_stock(variant=variant, location=store, quantity=1)
    with pytest.raises(InsufficientStock):
        services.sell_many(lines=[StockLine(variant, 2)], location=store)
    assert units(variant.product, store) == 1


def test_the_initial_load_fills_the_rows(store, other_store):
    product = ProductFactory()
    a, b = VariantFactory(product=product), VariantFactory(product=product)
    off = VariantFactory(product=product, is_active=False)
    services.bulk_receive_initial_stock(
        rows=[
            InitialStock(a.pk, store.pk, 3),
            InitialStock(b.pk, store.pk, 4),
            InitialStock(off.pk, store.pk, 9),
            InitialStock(a.pk, other_store.pk, 1),
        ],
        reference="seed",
    )
    assert (units(product, store), units(product, other_store)) == (7, 1)
    assert availability_mismatches()[1] == []


def test_a_variant_switched_off_leaves_its_products_figure(store, django_capture_on_commit_callbacks):
    product = ProductFactory()
    a, b = VariantFactory(product=product), VariantFactory(product=product)
    services.receive_stock(variant=a, location=store, quantity=3)
    services.receive_stock(variant=b, location=store, quantity=2)
    from catalog.events import ProductsChanged

    b.is_active = False
    b.save()
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(ProductsChanged(product_ids=(product.pk,)))
    assert units(product, store) == 3


def test_check_availability_finds_and_mends_a_drift(store, variant, capsys):
    services.receive_stock(variant=variant, location=store, quantity=2)
    call_command("check_availability")
    ProductAvailability.objects.filter(product=variant.product).update(available_units=0)

    with pytest.raises(CommandError, match="1 mismatch"):
        call_command("check_availability")
    assert "table 0, levels 2" in capsys.readouterr().out
    call_command("check_availability", "--fix")
    assert units(variant.product, store) == 2
    call_command("check_availability")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tills_selling_the_last_unit_of_two_variants_leave_the_product_unavailable():
    # given: one unit of each of two variants of one product at one store
    store = LocationFactory(code="race")
    product = ProductFactory()
    variants = [VariantFactory(product=product), VariantFactory(product=product)]
    for v in variants:
        services.receive_stock(variant=v, location=store, quantity=1)
    assert units(product, store) == 2

    # when: two tills sell them at the same moment
    in_threads(2, lambda i: services.sell_stock(variant=variants[i], location=store, quantity=1))

    # then: the product is not available there any more
    assert units(product, store) == 0
    assert not Product.objects.filter(pk=product.pk).filter(product_available_at("race")).exists()
    assert availability_mismatches()[1] == []
