"""``lock_levels`` and the batch services: one global lock order, exact figures, refusals write nothing."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory import services
from inventory.errors import InsufficientStock, InvalidQuantity, LotRequired, ReservationNotActive
from inventory.models import Reservation, ReservationStatus, StockLevel, StockLot, StockMovement
from inventory.selectors import check_ledger
from inventory.services import LotInput, StockLine
from tests.factories import LocationFactory, ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

EXP_JAN = dt.date(2030, 1, 15)
EXP_MAR = dt.date(2030, 3, 15)


@pytest.fixture
def tee(store):
    variant = VariantFactory(sku="TEE")
    services.receive_stock(variant=variant, location=store, quantity=5, reference="PO-1")
    return variant


@pytest.fixture
def mug(store):
    variant = VariantFactory(sku="MUG")
    services.receive_stock(variant=variant, location=store, quantity=3, reference="PO-1")
    return variant


@pytest.fixture
def honey(store):
    """Lot-tracked: 2 units of batch B-JAN (January), 4 of B-MAR (March)."""
    variant = VariantFactory(sku="HONEY", product=ProductFactory(tracks_lots=True))
    services.receive_stock(variant=variant, location=store, quantity=4, lot=LotInput("B-MAR", EXP_MAR))
    services.receive_stock(variant=variant, location=store, quantity=2, lot=LotInput("B-JAN", EXP_JAN))
    return variant


def level(variant, location):
    lv = StockLevel.objects.get(variant=variant, location=location)
    return lv.on_hand, lv.reserved


def rows_after(mark):
    """The ledger rows written after movement id ``mark``: (sku, reason, quantity, reserved_delta, batch)."""
    return [
        (m.variant.sku, m.reason, m.quantity, m.reserved_delta, m.lot.batch if m.lot else "", m.reference)
        for m in StockMovement.objects.filter(pk__gt=mark).select_related("variant", "lot").order_by("id")
    ]


def last_id():
    return StockMovement.objects.order_by("-id").values_list("id", flat=True).first() or 0


def everything():
    """What a stock service may write, to prove a refusal wrote nothing."""
    return (
        list(StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "reserved", "version")),
        list(StockLot.objects.order_by("pk").values_list("pk", "quantity")),
        StockMovement.objects.count(),
        list(Reservation.objects.order_by("pk").values_list("pk", "status", "expires_at")),
    )


# --- lock_levels ----------------------------------------------------------------------------------


def test_lock_levels_locks_by_location_then_variant_and_creates_missing_levels(store, other_store):
    a, b, c = (VariantFactory(sku=f"V{i}") for i in range(3))
    services.receive_stock(variant=b, location=other_store, quantity=2)
    pairs = [(other_store, c), (store, b), (other_store, a), (store, c), (other_store, b), (store, b)]

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = services.lock_levels(pairs)

    expected = sorted({(loc.pk, v.pk) for loc, v in pairs})
    assert list(locked) == expected  # one entry per pair, in the global order
    assert all((lv.location_id, lv.variant_id) == key for key, lv in locked.items())
    assert locked[(other_store.pk, b.pk)].on_hand == 2
    assert StockLevel.objects.count() == 5  # the four missing levels were created, at zero ...
    assert StockMovement.objects.count() == 1  # ... with no ledger row (they hold nothing)
    # The existing level first, then (after inserting them) the missing ones: each lock ordered.
    lock = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    assert len(lock) == 2
    for sql in lock:
        assert (
            'ORDER BY "inventory_stocklevel"."location_id" ASC, "inventory_stocklevel"."variant_id" ASC'
            in sql
        )
        if connection.vendor == "postgresql":
            assert sql.endswith('FOR NO KEY UPDATE OF "inventory_stocklevel"')


def test_lock_levels_of_existing_levels_is_one_query(store, django_assert_num_queries):
    a, b = VariantFactory(sku="E1"), VariantFactory(sku="E2")
    for variant in (a, b):
        services.receive_stock(variant=variant, location=store, quantity=1)
    with transaction.atomic(), django_assert_num_queries(1):
        locked = services.lock_levels([(store, b), (store, a)])
    assert list(locked) == sorted([(store.pk, a.pk), (store.pk, b.pk)])


def test_lock_levels_of_nothing_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert services.lock_levels([]) == {}


def test_lock_levels_accepts_ids(store, tee):
    with transaction.atomic():
        locked = services.lock_levels([(store.pk, tee.pk)])
    assert locked[(store.pk, tee.pk)].on_hand == 5


def test_reservations_are_locked_in_pk_order_before_their_levels(store, tee, mug):
    first, second = services.reserve_many(
        lines=[StockLine(mug, 1), StockLine(tee, 1)], location=store, reference="W-1"
    )
    with CaptureQueriesContext(connection) as queries:
        services.commit_many(reservations=[second, first])
    sql = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    assert 'ORDER BY "inventory_reservation"."id" ASC' in sql[0]
    assert '"inventory_stocklevel"."location_id" ASC' in sql[1]


# --- reserve_many ---------------------------------------------------------------------------------


def test_reserve_many_holds_every_line_with_one_ledger_row_each(store, tee, mug):
    user = UserFactory()
    mark = last_id()

    reservations = services.reserve_many(
        lines=[StockLine(mug, 2), StockLine(tee, 3)],
        location=store,
        ttl_seconds=600,
        reference="W-1",
        user=user,
    )

    assert [(r.variant, r.quantity, r.status, r.reference) for r in reservations] == [
        (mug, 2, ReservationStatus.ACTIVE, "W-1"),
        (tee, 3, ReservationStatus.ACTIVE, "W-1"),
    ]
    assert abs((reservations[0].expires_at - timezone.now()).total_seconds() - 600) < 5
    assert level(tee, store) == (5, 3) and level(mug, store) == (3, 2)
    assert rows_after(mark) == [
        ("MUG", "reservation_taken", 0, 2, "", "W-1"),
        ("TEE", "reservation_taken", 0, 3, "", "W-1"),
    ]
    assert StockMovement.objects.filter(pk__gt=mark, reservation__in=reservations).count() == 2
    assert check_ledger().ok


def test_reserve_many_refuses_the_first_line_it_cannot_hold_and_writes_nothing(store, tee, mug):
    before = everything()

    with pytest.raises(InsufficientStock) as refused:
        services.reserve_many(lines=[StockLine(tee, 2), StockLine(mug, 4), StockLine(tee, 9)], location=store)

    assert refused.value.detail == {"sku": "MUG", "location": "AJA", "requested": 4, "available": 3}
    assert everything() == before


def test_reserve_many_counts_lines_of_one_variant_together(store, tee):
    before = everything()
    with pytest.raises(InsufficientStock) as refused:
        services.reserve_many(lines=[StockLine(tee, 3), StockLine(tee, 3)], location=store)
    assert refused.value.detail == {"sku": "TEE", "location": "AJA", "requested": 3, "available": 2}
    assert everything() == before


def test_reserve_many_refuses_a_bad_quantity_before_locking_anything(store, tee, mug):
    before = everything()
    with pytest.raises(InvalidQuantity):
        services.reserve_many(lines=[StockLine(tee, 1), StockLine(mug, 0)], location=store)
    assert everything() == before


# --- sell_many ------------------------------------------------------------------------------------


def test_sell_many_takes_every_line_first_expiry_first(store, tee, honey):
    mark = last_id()

    changes = services.sell_many(
        lines=[StockLine(honey, 3), StockLine(tee, 2)], location=store, reference="S-1"
    )

    assert [(c.level.variant.sku, c.level.on_hand, c.shortfall) for c in changes] == [
        ("HONEY", 3, 0),
        ("TEE", 3, 0),
    ]
    assert level(honey, store) == (3, 0) and level(tee, store) == (3, 0)
    assert rows_after(mark) == [
        ("HONEY", "sale", -2, 0, "B-JAN", "S-1"),
        ("HONEY", "sale", -1, 0, "B-MAR", "S-1"),
        ("TEE", "sale", -2, 0, "", "S-1"),
    ]
    assert dict(StockLot.objects.filter(variant=honey).values_list("batch", "quantity")) == {
        "B-JAN": 0,
        "B-MAR": 3,
    }
    assert check_ledger().ok


def test_sell_many_refused_writes_nothing(store, tee, mug, honey):
    before = everything()

    with pytest.raises(InsufficientStock) as refused:
        services.sell_many(
            lines=[StockLine(honey, 1), StockLine(tee, 6), StockLine(mug, 9)], location=store, reference="S-1"
        )

    assert refused.value.detail == {"sku": "TEE", "location": "AJA", "requested": 6, "available": 5}
    assert everything() == before


def test_sell_many_does_not_sell_reserved_units(store, tee):
    services.reserve_stock(variant=tee, location=store, quantity=4)
    with pytest.raises(InsufficientStock) as refused:
        services.sell_many(lines=[StockLine(tee, 2)], location=store)
    assert refused.value.detail["available"] == 1
    assert level(tee, store) == (5, 4)


def test_sell_many_with_shortfall_sells_what_is_there_and_says_what_was_missing(store, tee, mug):
    other = VariantFactory(sku="NONE-HERE")
    services.reserve_stock(variant=mug, location=store, quantity=1)
    mark = last_id()

    changes = services.sell_many(
        lines=[StockLine(tee, 7), StockLine(mug, 1), StockLine(other, 2)],
        location=store,
        reference="S-OFF",
        allow_shortfall=True,
    )

    assert [(c.shortfall, len(c.movements)) for c in changes] == [(2, 1), (0, 1), (2, 0)]
    assert level(tee, store) == (0, 0) and level(mug, store) == (2, 1) and level(other, store) == (0, 0)
    assert rows_after(mark) == [("TEE", "sale", -5, 0, "", "S-OFF"), ("MUG", "sale", -1, 0, "", "S-OFF")]
    assert check_ledger().ok


# --- return_many ----------------------------------------------------------------------------------


def test_return_many_puts_every_line_back_with_its_batch(store, tee, honey):
    mark = last_id()

    changes = services.return_many(
        lines=[StockLine(tee, 2), StockLine(honey, 1, LotInput("B-JAN", EXP_JAN))],
        location=store,
        reference="R-1",
    )

    assert [c.level.on_hand for c in changes] == [7, 7]
    assert rows_after(mark) == [("TEE", "return", 2, 0, "", "R-1"), ("HONEY", "return", 1, 0, "B-JAN", "R-1")]
    assert StockLot.objects.get(variant=honey, batch="B-JAN").quantity == 3
    assert check_ledger().ok


def test_return_many_refused_writes_nothing(store, tee, honey):
    before = everything()
    with pytest.raises(LotRequired):
        services.return_many(lines=[StockLine(tee, 1), StockLine(honey, 1)], location=store, reference="R-1")
    assert everything() == before


# --- release_many, commit_many, extend_many -------------------------------------------------------


def test_release_many_gives_every_unit_back(store, tee, mug):
    held = services.reserve_many(
        lines=[StockLine(tee, 2), StockLine(mug, 1)], location=store, reference="W-1"
    )
    mark = last_id()

    released = services.release_many(reservations=held, expired=True)

    assert [r.status for r in released] == [ReservationStatus.EXPIRED] * 2
    assert all(r.closed_at is not None for r in released)
    assert level(tee, store) == (5, 0) and level(mug, store) == (3, 0)
    assert rows_after(mark) == [
        ("TEE", "reservation_expired", 0, -2, "", "W-1"),
        ("MUG", "reservation_expired", 0, -1, "", "W-1"),
    ]
    assert check_ledger().ok


def test_release_many_refuses_if_one_is_no_longer_active_and_writes_nothing(store, tee, mug):
    held = services.reserve_many(lines=[StockLine(tee, 2), StockLine(mug, 1)], location=store)
    services.release_reservation(reservation=held[1])
    before = everything()

    with pytest.raises(ReservationNotActive):
        services.release_many(reservations=held)

    assert everything() == before
    assert Reservation.objects.get(pk=held[0].pk).status == ReservationStatus.ACTIVE


def test_commit_many_sells_the_reserved_units_first_expiry_first(store, tee, honey):
    held = services.reserve_many(
        lines=[StockLine(tee, 2), StockLine(honey, 3)], location=store, reference="W-2"
    )
    mark = last_id()

    committed = services.commit_many(reservations=held, user=UserFactory())

    assert [r.status for r in committed] == [ReservationStatus.COMMITTED] * 2
    assert level(tee, store) == (3, 0) and level(honey, store) == (3, 0)
    assert rows_after(mark) == [
        ("TEE", "reservation_committed", -2, -2, "", "W-2"),
        ("HONEY", "reservation_committed", -2, -2, "B-JAN", "W-2"),
        ("HONEY", "reservation_committed", -1, -1, "B-MAR", "W-2"),
    ]
    assert check_ledger().ok


def test_commit_many_refuses_if_one_is_no_longer_active_and_writes_nothing(store, tee, mug):
    held = services.reserve_many(lines=[StockLine(tee, 2), StockLine(mug, 1)], location=store)
    services.commit_reservation(reservation=held[0])
    before = everything()

    with pytest.raises(ReservationNotActive):
        services.commit_many(reservations=held)

    assert everything() == before


def test_extend_many_only_moves_expiries_later(store, tee, mug):
    short, long = services.reserve_many(lines=[StockLine(tee, 1), StockLine(mug, 1)], location=store)
    later = timezone.now() + dt.timedelta(days=3)
    Reservation.objects.filter(pk=long.pk).update(expires_at=later + dt.timedelta(days=1))
    movements = StockMovement.objects.count()

    extended = services.extend_many(reservations=[short, long], expires_at=later)

    assert [r.expires_at for r in extended] == [later, later + dt.timedelta(days=1)]
    assert Reservation.objects.get(pk=short.pk).expires_at == later
    assert StockMovement.objects.count() == movements  # not a stock change


def test_extend_many_refuses_an_inactive_one_unless_told_to_skip_it(store, tee, mug):
    active, gone = services.reserve_many(lines=[StockLine(tee, 1), StockLine(mug, 1)], location=store)
    services.release_reservation(reservation=gone)
    later = timezone.now() + dt.timedelta(days=3)
    before = everything()

    with pytest.raises(ReservationNotActive):
        services.extend_many(reservations=[active, gone], expires_at=later)
    assert everything() == before

    assert services.extend_many(reservations=[active, gone], expires_at=later, only_active=True) == [active]
    assert Reservation.objects.get(pk=active.pk).expires_at == later


def test_a_refused_line_rolls_back_the_levels_it_created(store, tee):
    new = VariantFactory(sku="NEW")
    with pytest.raises(InsufficientStock):
        services.sell_many(lines=[StockLine(new, 1)], location=store)
    assert not StockLevel.objects.filter(variant=new).exists()


def test_a_level_elsewhere_is_another_key(store, tee):
    """Units at Ajaccio do not serve a sale at another store."""
    bastia = LocationFactory(code="BAS2")
    with pytest.raises(InsufficientStock) as refused:
        services.sell_many(lines=[StockLine(tee, 1)], location=bastia)
    assert refused.value.detail == {"sku": "TEE", "location": "BAS2", "requested": 1, "available": 0}
