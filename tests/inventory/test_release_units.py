"""inventory.services.release_units_many: some units of held reservations go back (a held order
cancelled in part); a ledger row each, the level and the ledger agree, refusals change nothing."""

import pytest

from inventory import services
from inventory.errors import InvalidQuantity, ReservationNotActive
from inventory.models import Reservation, ReservationStatus, StockLevel, StockMovement
from tests.factories import LocationFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(db):
    aja = LocationFactory(code="AJA")
    tee = VariantFactory(sku="TEE")
    services.receive_stock(variant=tee, location=aja, quantity=5)
    [reservation] = services.reserve_many(lines=[services.StockLine(tee, 3)], location=aja, reference="W1")
    return aja, tee, reservation


def figures(aja, tee):
    level = StockLevel.objects.get(variant=tee, location=aja)
    return level.on_hand, level.reserved


def test_part_of_a_reservation_goes_back_and_the_rest_stays_held(held):
    aja, tee, reservation = held
    services.release_units_many(parts=[(reservation, 2)], reference="W1 cancelled")
    reservation.refresh_from_db()
    assert (reservation.status, reservation.quantity) == (ReservationStatus.ACTIVE, 1)
    assert figures(aja, tee) == (5, 1)
    last = StockMovement.objects.order_by("-id").first()
    assert (last.reason, last.quantity, last.reserved_delta, last.reference) == (
        "reservation_released",
        0,
        -2,
        "W1 cancelled",
    )

    services.release_units_many(parts=[(reservation, 1)])
    reservation.refresh_from_db()
    assert (reservation.status, reservation.quantity) == (ReservationStatus.RELEASED, 1)
    assert figures(aja, tee) == (5, 0)


@pytest.mark.parametrize("quantity", [4, 0])
def test_more_than_held_or_nothing_is_refused(held, quantity):
    aja, tee, reservation = held
    rows = StockMovement.objects.count()
    with pytest.raises(InvalidQuantity):
        services.release_units_many(parts=[(reservation, quantity)])
    assert figures(aja, tee) == (5, 3) and StockMovement.objects.count() == rows
    assert Reservation.objects.get().quantity == 3


def test_a_reservation_no_longer_held_is_refused(held):
    aja, tee, reservation = held
    services.commit_many(reservations=[reservation])
    with pytest.raises(ReservationNotActive):
        services.release_units_many(parts=[(reservation, 1)])
    assert figures(aja, tee) == (2, 0)
