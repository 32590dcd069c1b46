"""manage.py check_stock: clean when the ledger explains every level, exit code 1 on any mismatch."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inventory import services
from inventory.models import StockLevel, StockLot
from inventory.selectors import check_ledger
from inventory.services import LotInput
from tests.factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def run_check(capsys) -> tuple[int, str]:
    try:
        call_command("check_stock")
    except CommandError as error:
        return error.returncode, capsys.readouterr().out + str(error)
    return 0, capsys.readouterr().out


@pytest.fixture
def stocked(store, other_store, variant):
    lot_variant = VariantFactory(sku="HONEY-250", product=ProductFactory(tracks_lots=True))
    services.receive_stock(variant=variant, location=store, quantity=10)
    services.transfer_stock(variant=variant, from_location=store, to_location=other_store, quantity=3)
    services.reserve_stock(variant=variant, location=store, quantity=2)
    services.receive_stock(variant=lot_variant, location=store, quantity=5, lot=LotInput("L1"))
    services.set_low_stock_threshold(variant=lot_variant, location=other_store, threshold=2)  # empty level
    return lot_variant


def test_clean_ledger(capsys, stocked):
    assert run_check(capsys) == (0, "OK: 4 levels checked\n")


def test_empty_database_is_clean(capsys, db):
    assert run_check(capsys) == (0, "OK: 0 levels checked\n")


def test_tampered_on_hand_and_reserved_are_reported(capsys, stocked, store, variant):
    # given a level changed behind the services' back
    StockLevel.objects.filter(variant=variant, location=store).update(on_hand=9, reserved=0)
    code, out = run_check(capsys)
    assert code == 1
    assert "MISMATCH TSHIRT-M-RED @ AJA: on hand differs from the ledger (level 9, ledger 7)" in out
    assert "MISMATCH TSHIRT-M-RED @ AJA: reserved differs from the ledger (level 0, ledger 2)" in out
    assert "2 mismatch(es) in 4 levels checked" in out


def test_level_without_ledger_and_ledger_without_level(capsys, stocked, store, other_store, variant):
    extra = VariantFactory(sku="CAP-1")
    StockLevel.objects.create(variant=extra, location=store, on_hand=4)
    StockLevel.objects.filter(variant=variant, location=other_store).delete()
    code, out = run_check(capsys)
    assert code == 1
    assert "MISMATCH CAP-1 @ AJA: level has no ledger rows (level 4, ledger 0)" in out
    assert "MISMATCH TSHIRT-M-RED @ BAS: ledger rows but no level (level -, ledger 3)" in out


def test_lots_that_do_not_add_up(capsys, stocked, store):
    StockLot.objects.filter(batch="L1").update(quantity=4)
    code, out = run_check(capsys)
    assert code == 1
    assert "MISMATCH HONEY-250 @ AJA: lots do not add up to on hand (level 5, ledger 4)" in out
    assert "MISMATCH HONEY-250 @ AJA lot L1: lot differs from its ledger rows (level 4, ledger 5)" in out


def test_check_is_a_constant_number_of_queries(stocked, django_assert_max_num_queries):
    for n in range(30):
        services.receive_stock(
            variant=VariantFactory(), location=stocked.lots.first().location, quantity=n + 1
        )
    with django_assert_max_num_queries(8):
        report = check_ledger()
    assert report.ok and report.levels_checked == 34
