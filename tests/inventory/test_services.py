"""Every stock service: the happy path with exact figures, and every refusal changing nothing."""

import datetime as dt

import pytest
from django.core import mail
from django.db import DatabaseError, transaction
from django.db.models import Sum
from django.utils import timezone

from core import events
from core.errors import Conflict, ValidationFailed
from inventory import services
from inventory.errors import (
    InsufficientStock,
    InvalidQuantity,
    LotRequired,
    ReservationNotActive,
    SameLocation,
)
from inventory.events import StockLevelChanged
from inventory.models import (
    MovementReason,
    Reservation,
    ReservationStatus,
    StockAlert,
    StockLevel,
    StockLot,
    StockMovement,
)
from inventory.selectors import check_ledger
from inventory.services import InitialStock, LotInput
from tests.factories import ProductFactory, UserFactory, VariantFactory, store_manager

pytestmark = pytest.mark.django_db

EXP_JAN = dt.date(2030, 1, 15)
EXP_MAR = dt.date(2030, 3, 15)
EXP_JUN = dt.date(2030, 6, 15)


@pytest.fixture
def lot_variant(db):
    return VariantFactory(sku="HONEY-250", product=ProductFactory(tracks_lots=True))


@pytest.fixture
def user(db):
    return UserFactory(email="clerk@example.com")


def level_of(variant, location) -> tuple[int, int] | None:
    return (
        StockLevel.objects.filter(variant=variant, location=location)
        .values_list("on_hand", "reserved")
        .first()
    )


def ledger_of(variant, location) -> tuple[int, int]:
    sums = StockMovement.objects.filter(variant=variant, location=location).aggregate(
        q=Sum("quantity"), r=Sum("reserved_delta")
    )
    return (sums["q"] or 0, sums["r"] or 0)


def lots_of(variant, location) -> list[tuple[str, int]]:
    return list(
        StockLot.objects.filter(variant=variant, location=location)
        .order_by("batch")
        .values_list("batch", "quantity")
    )


def state() -> tuple:
    """Everything a stock operation may touch, to assert that a refusal changed nothing."""
    return (
        list(StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "reserved", "version")),
        list(StockLot.objects.order_by("pk").values_list("pk", "quantity")),
        StockMovement.objects.count(),
        list(Reservation.objects.order_by("pk").values_list("pk", "status")),
        StockAlert.objects.count(),
    )


def receive(variant, location, quantity, **kwargs):
    return services.receive_stock(variant=variant, location=location, quantity=quantity, **kwargs)


# --- receive / return ------------------------------------------------------------------------------


def test_receive_creates_the_level_and_one_ledger_row(
    store, variant, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        change = receive(variant, store, 7, reference="PO-17", user=user)

    assert (change.level.on_hand, change.level.reserved, change.level.version) == (7, 0, 1)
    assert level_of(variant, store) == (7, 0)
    (row,) = StockMovement.objects.all()
    assert (row.quantity, row.reserved_delta, row.reason, row.reference, row.user) == (
        7,
        0,
        MovementReason.RECEIPT,
        "PO-17",
        user,
    )
    assert change.movements == [row]
    # the live push and the StockLevelChanged after-commit subscribers (the storefront's cache, the
    # webhooks), waiting for the commit; in-transaction subscribers (wishlist alerts) ran already
    after_commit = [s for s in events.subscribers_of(StockLevelChanged) if s.phase == events.AFTER_COMMIT]
    assert len(callbacks) == 1 + len(after_commit)


def test_receive_adds_to_an_existing_level(store, variant):
    receive(variant, store, 5)
    change = receive(variant, store, 3)
    assert (change.level.on_hand, change.level.version) == (8, 2)
    assert ledger_of(variant, store) == (8, 0)


@pytest.mark.parametrize("quantity", [0, -3, 1.5, True, "4", None])
def test_receive_refuses_a_quantity_that_is_not_a_positive_whole_number(store, variant, quantity):
    receive(variant, store, 5)
    before = state()
    with pytest.raises(InvalidQuantity):
        receive(variant, store, quantity)
    assert state() == before


def test_receive_of_a_lot_tracked_variant_needs_a_batch(store, lot_variant):
    before = state()
    with pytest.raises(LotRequired):
        receive(lot_variant, store, 5)
    with pytest.raises(LotRequired):
        receive(lot_variant, store, 5, lot=LotInput(batch="", expiry_date=EXP_JAN))
    assert state() == before
    assert level_of(lot_variant, store) is None


def test_receive_lots_adds_to_the_same_batch(store, lot_variant):
    receive(lot_variant, store, 5, lot=LotInput("B1", EXP_JAN))
    receive(lot_variant, store, 2, lot=LotInput("B1", EXP_JAN))
    receive(lot_variant, store, 4, lot=LotInput("B2", EXP_MAR))
    assert level_of(lot_variant, store) == (11, 0)
    assert lots_of(lot_variant, store) == [("B1", 7), ("B2", 4)]
    assert list(StockMovement.objects.order_by("id").values_list("lot__batch", "quantity")) == [
        ("B1", 5),
        ("B1", 2),
        ("B2", 4),
    ]


def test_return_to_stock_writes_a_return_row(store, variant):
    receive(variant, store, 2)
    change = services.return_to_stock(variant=variant, location=store, quantity=1, reference="RET-9")
    assert change.level.on_hand == 3
    assert change.movements[0].reason == MovementReason.RETURN
    assert ledger_of(variant, store) == (3, 0)


# --- sell / loss ----------------------------------------------------------------------------------


def test_sell_takes_available_units(store, variant, user):
    receive(variant, store, 5)
    change = services.sell_stock(variant=variant, location=store, quantity=2, reference="T-1", user=user)
    assert (change.level.on_hand, change.level.reserved) == (3, 0)
    row = change.movements[0]
    assert (row.quantity, row.reason, row.reference, row.user) == (-2, MovementReason.SALE, "T-1", user)
    assert ledger_of(variant, store) == (3, 0)


def test_sell_more_than_available_is_refused_with_the_figures(store, variant):
    receive(variant, store, 3)
    before = state()
    with pytest.raises(InsufficientStock) as refused:
        services.sell_stock(variant=variant, location=store, quantity=4)
    assert refused.value.code == "insufficient_stock"
    assert refused.value.detail == {"sku": "TSHIRT-M-RED", "location": "AJA", "requested": 4, "available": 3}
    assert state() == before


def test_sell_without_any_level_is_refused_and_creates_nothing(store, variant):
    with pytest.raises(InsufficientStock) as refused:
        services.sell_stock(variant=variant, location=store, quantity=1)
    assert refused.value.detail["available"] == 0
    assert StockLevel.objects.count() == 0 and StockMovement.objects.count() == 0


def test_sell_cannot_take_reserved_units(store, variant):
    receive(variant, store, 5)
    services.reserve_stock(variant=variant, location=store, quantity=3)
    before = state()
    with pytest.raises(InsufficientStock):
        services.sell_stock(variant=variant, location=store, quantity=3)
    assert state() == before
    services.sell_stock(variant=variant, location=store, quantity=2)
    assert level_of(variant, store) == (3, 3)


def test_record_loss(store, variant):
    receive(variant, store, 4)
    change = services.record_loss(variant=variant, location=store, quantity=4, reference="BROKEN")
    assert change.level.on_hand == 0
    assert change.movements[0].reason == MovementReason.LOSS
    with pytest.raises(InsufficientStock):
        services.record_loss(variant=variant, location=store, quantity=1)
    assert ledger_of(variant, store) == (0, 0)


# --- lots: first expiry first out -----------------------------------------------------------------


def test_sale_takes_the_earliest_expiry_first_across_lots(store, lot_variant):
    receive(lot_variant, store, 2, lot=LotInput("MAR", EXP_MAR))
    receive(lot_variant, store, 3, lot=LotInput("JAN", EXP_JAN))
    receive(lot_variant, store, 5, lot=LotInput("NOEXP", None))  # no expiry: sold last
    receive(lot_variant, store, 1, lot=LotInput("JUN", EXP_JUN))

    change = services.sell_stock(variant=lot_variant, location=store, quantity=4, reference="T-9")

    assert [(m.lot.batch, m.quantity) for m in change.movements] == [("JAN", -3), ("MAR", -1)]
    assert lots_of(lot_variant, store) == [("JAN", 0), ("JUN", 1), ("MAR", 1), ("NOEXP", 5)]
    assert level_of(lot_variant, store) == (7, 0)

    change = services.sell_stock(variant=lot_variant, location=store, quantity=3)
    assert [(m.lot.batch, m.quantity) for m in change.movements] == [("MAR", -1), ("JUN", -1), ("NOEXP", -1)]
    total = StockLot.objects.filter(variant=lot_variant, location=store).aggregate(s=Sum("quantity"))["s"]
    assert total == 4 == level_of(lot_variant, store)[0]
    assert check_ledger().ok


def test_lot_sale_refused_changes_no_lot(store, lot_variant):
    receive(lot_variant, store, 2, lot=LotInput("JAN", EXP_JAN))
    before = state()
    with pytest.raises(InsufficientStock):
        services.sell_stock(variant=lot_variant, location=store, quantity=3)
    assert state() == before


# --- counts ---------------------------------------------------------------------------------------


def test_count_sets_on_hand_and_records_the_difference(store, variant, user):
    receive(variant, store, 10)
    change = services.adjust_stock(variant=variant, location=store, counted=7, reference="INV-1", user=user)
    assert change.level.on_hand == 7
    row = change.movements[0]
    assert (row.quantity, row.reason, row.reference) == (-3, MovementReason.COUNT_ADJUSTMENT, "INV-1")
    change = services.adjust_stock(variant=variant, location=store, counted=12)
    assert (change.level.on_hand, change.movements[0].quantity) == (12, 5)
    assert ledger_of(variant, store) == (12, 0)


def test_count_of_a_variant_never_stocked_here_creates_the_level(store, variant):
    change = services.adjust_stock(variant=variant, location=store, counted=4)
    assert level_of(variant, store) == (4, 0)
    assert change.movements[0].quantity == 4


def test_count_equal_to_stock_writes_nothing(store, variant):
    receive(variant, store, 6)
    before = state()
    change = services.adjust_stock(variant=variant, location=store, counted=6)
    assert change.movements == []
    assert state() == before


def test_count_below_reserved_is_refused(store, variant):
    receive(variant, store, 10)
    services.reserve_stock(variant=variant, location=store, quantity=4)
    before = state()
    with pytest.raises(InsufficientStock):
        services.adjust_stock(variant=variant, location=store, counted=3)
    assert state() == before
    services.adjust_stock(variant=variant, location=store, counted=4)  # exactly the reserved units: fine
    assert level_of(variant, store) == (4, 4)


@pytest.mark.parametrize("counted", [-1, 2.0, None, True])
def test_count_refuses_a_bad_number(store, variant, counted):
    receive(variant, store, 3)
    before = state()
    with pytest.raises(InvalidQuantity):
        services.adjust_stock(variant=variant, location=store, counted=counted)
    assert state() == before


def test_count_of_lot_tracked_stock_is_per_batch(store, lot_variant):
    receive(lot_variant, store, 5, lot=LotInput("JAN", EXP_JAN))
    receive(lot_variant, store, 5, lot=LotInput("MAR", EXP_MAR))
    before = state()
    with pytest.raises(LotRequired):
        services.adjust_stock(variant=lot_variant, location=store, counted=8)
    assert state() == before

    change = services.adjust_stock(
        variant=lot_variant, location=store, counted=2, lot=LotInput("JAN", EXP_JAN)
    )
    assert (change.movements[0].lot.batch, change.movements[0].quantity) == ("JAN", -3)
    assert level_of(lot_variant, store) == (7, 0)
    assert lots_of(lot_variant, store) == [("JAN", 2), ("MAR", 5)]
    assert check_ledger().ok


def test_count_many_applies_lines_in_order_and_refuses_only_the_bad_ones(
    store, other_store, variant, lot_variant, user, django_assert_max_num_queries
):
    """A stocktake in one transaction: two counts of one level leave the second, each a movement;
    a count below the reserved units, a bad number and a lot-tracked line are refused alone."""
    other = VariantFactory(sku="TSHIRT-L-RED")
    receive(variant, store, 10)
    receive(other, store, 5)
    services.reserve_stock(variant=other, location=store, quantity=3)
    lines = [
        services.CountLine(variant, store, 7, "INV-2:1"),
        services.CountLine(other, store, 2, "INV-2:2"),  # 3 reserved: refused
        services.CountLine(variant, store, 9, "INV-2:3"),
        services.CountLine(variant, other_store, 4, "INV-2:4"),  # never stocked there: level created
        services.CountLine(other, store, -1, "INV-2:5"),
        services.CountLine(lot_variant, store, 1, "INV-2:6"),
        services.CountLine(other, store, 5, "INV-2:7"),  # matches: nothing written
    ]
    with events.recorded() as seen, django_assert_max_num_queries(12):
        outcomes = services.count_many(lines=lines, user=user)
    events_seen = [event for event in seen if isinstance(event, StockLevelChanged)]
    kinds = [type(outcome).__name__ for outcome in outcomes]
    assert kinds == [
        "StockChange", "InsufficientStock", "StockChange", "StockChange", "InvalidQuantity", "LotRequired",
        "StockChange",
    ]  # fmt: skip
    assert [m.quantity for m in outcomes[0].movements + outcomes[2].movements] == [-3, 2]
    assert outcomes[6].movements == []
    assert level_of(variant, store) == (9, 0)
    assert level_of(other, store) == (5, 3)
    assert level_of(variant, other_store) == (4, 0)
    assert ledger_of(variant, store) == (9, 0) and ledger_of(variant, other_store) == (4, 0)
    assert set(
        StockMovement.objects.filter(reason=MovementReason.COUNT_ADJUSTMENT).values_list("reference", "user")
    ) == {("INV-2:1", user.pk), ("INV-2:3", user.pk), ("INV-2:4", user.pk)}
    assert sorted((e.variant_id, e.location_id, e.on_hand) for e in events_seen) == sorted(
        [(variant.pk, store.pk, 9), (variant.pk, other_store.pk, 4)]
    )  # one event per level changed, with its final figures
    assert check_ledger().ok


# --- transfers ------------------------------------------------------------------------------------


def test_transfer_moves_units_with_a_row_on_each_side(store, other_store, variant, user):
    receive(variant, store, 10)
    result = services.transfer_stock(
        variant=variant, from_location=store, to_location=other_store, quantity=4, user=user
    )
    assert (result.source.on_hand, result.destination.on_hand) == (6, 4)
    out, into = result.movements
    assert (out.location, out.quantity, out.reason) == (store, -4, MovementReason.TRANSFER_OUT)
    assert (into.location, into.quantity, into.reason) == (other_store, 4, MovementReason.TRANSFER_IN)
    assert out.transfer_id == into.transfer_id == result.transfer_id
    assert out.reference == into.reference == f"TR-{result.transfer_id.hex[:10].upper()}"
    assert ledger_of(variant, store) == (6, 0) and ledger_of(variant, other_store) == (4, 0)


def test_transfer_cannot_move_reserved_units(store, other_store, variant):
    receive(variant, store, 5)
    services.reserve_stock(variant=variant, location=store, quantity=2)
    before = state()
    with pytest.raises(InsufficientStock) as refused:
        services.transfer_stock(variant=variant, from_location=store, to_location=other_store, quantity=4)
    assert refused.value.detail["available"] == 3
    # the destination level that get_or_create made is rolled back with the rest
    assert state() == before
    assert level_of(variant, other_store) is None


def test_transfer_from_a_location_without_stock_is_refused(store, other_store, variant):
    with pytest.raises(InsufficientStock):
        services.transfer_stock(variant=variant, from_location=store, to_location=other_store, quantity=1)
    assert StockLevel.objects.count() == 0 and StockMovement.objects.count() == 0


def test_transfer_to_the_same_location_is_refused(store, variant):
    receive(variant, store, 5)
    before = state()
    with pytest.raises(SameLocation):
        services.transfer_stock(variant=variant, from_location=store, to_location=store, quantity=1)
    assert state() == before


def test_transfer_of_lots_keeps_batch_and_expiry_earliest_first(store, other_store, lot_variant):
    receive(lot_variant, store, 3, lot=LotInput("MAR", EXP_MAR))
    receive(lot_variant, store, 2, lot=LotInput("JAN", EXP_JAN))
    result = services.transfer_stock(
        variant=lot_variant, from_location=store, to_location=other_store, quantity=4
    )

    assert [(m.location.code, m.lot.batch, m.quantity) for m in result.movements] == [
        ("AJA", "JAN", -2),
        ("BAS", "JAN", 2),
        ("AJA", "MAR", -2),
        ("BAS", "MAR", 2),
    ]
    assert lots_of(lot_variant, store) == [("JAN", 0), ("MAR", 1)]
    assert lots_of(lot_variant, other_store) == [("JAN", 2), ("MAR", 2)]
    assert StockLot.objects.get(location=other_store, batch="JAN").expiry_date == EXP_JAN
    assert level_of(lot_variant, store) == (1, 0) and level_of(lot_variant, other_store) == (4, 0)
    assert check_ledger().ok


# --- reservations ---------------------------------------------------------------------------------


def test_reserve_holds_units_until_expiry(store, variant, user):
    receive(variant, store, 5)
    before = timezone.now()
    reservation = services.reserve_stock(
        variant=variant, location=store, quantity=2, ttl_seconds=600, reference="CART-1", user=user
    )
    assert level_of(variant, store) == (5, 2)
    assert reservation.status == ReservationStatus.ACTIVE
    assert (
        before + dt.timedelta(seconds=600)
        <= reservation.expires_at
        <= timezone.now() + dt.timedelta(seconds=600)
    )
    (row,) = StockMovement.objects.filter(reason=MovementReason.RESERVATION_TAKEN)
    assert (row.quantity, row.reserved_delta, row.reservation, row.reference) == (0, 2, reservation, "CART-1")
    assert ledger_of(variant, store) == (5, 2)


def test_reserve_more_than_available_is_refused(store, variant):
    receive(variant, store, 5)
    services.reserve_stock(variant=variant, location=store, quantity=4)
    before = state()
    with pytest.raises(InsufficientStock) as refused:
        services.reserve_stock(variant=variant, location=store, quantity=2)
    assert refused.value.detail == {"sku": "TSHIRT-M-RED", "location": "AJA", "requested": 2, "available": 1}
    assert state() == before


@pytest.mark.parametrize("ttl", [0, -5, 10**9, 1.5])
def test_reserve_refuses_a_bad_ttl(store, variant, ttl):
    receive(variant, store, 5)
    before = state()
    with pytest.raises(InvalidQuantity):
        services.reserve_stock(variant=variant, location=store, quantity=1, ttl_seconds=ttl)
    assert state() == before


def test_release_gives_units_back_once(store, variant):
    receive(variant, store, 5)
    reservation = services.reserve_stock(variant=variant, location=store, quantity=3)
    released = services.release_reservation(reservation=reservation)
    assert released.status == ReservationStatus.RELEASED and released.closed_at is not None
    assert level_of(variant, store) == (5, 0)
    assert ledger_of(variant, store) == (5, 0)

    before = state()
    with pytest.raises(ReservationNotActive) as refused:
        services.release_reservation(reservation=reservation)
    assert refused.value.detail == {"id": str(reservation.pk), "status": "released"}
    with pytest.raises(ReservationNotActive):
        services.commit_reservation(reservation=reservation)
    assert state() == before


def test_commit_sells_the_reserved_units(store, variant, user):
    receive(variant, store, 5)
    reservation = services.reserve_stock(variant=variant, location=store, quantity=3, reference="ORD-1")
    committed = services.commit_reservation(reservation=reservation, user=user)
    assert committed.status == ReservationStatus.COMMITTED
    assert level_of(variant, store) == (2, 0)
    row = StockMovement.objects.get(reason=MovementReason.RESERVATION_COMMITTED)
    assert (row.quantity, row.reserved_delta, row.reference, row.user) == (-3, -3, "ORD-1", user)
    before = state()
    with pytest.raises(ReservationNotActive):
        services.commit_reservation(reservation=reservation)
    with pytest.raises(ReservationNotActive):
        services.release_reservation(reservation=reservation)
    assert state() == before


def test_commit_of_lot_tracked_reservation_takes_earliest_expiry(store, lot_variant):
    receive(lot_variant, store, 2, lot=LotInput("MAR", EXP_MAR))
    receive(lot_variant, store, 2, lot=LotInput("JAN", EXP_JAN))
    reservation = services.reserve_stock(variant=lot_variant, location=store, quantity=3)
    services.commit_reservation(reservation=reservation)
    assert lots_of(lot_variant, store) == [("JAN", 0), ("MAR", 1)]
    assert level_of(lot_variant, store) == (1, 0)
    assert check_ledger().ok


def test_release_expired_reservations_releases_only_the_expired(store, variant):
    receive(variant, store, 10)
    short = services.reserve_stock(variant=variant, location=store, quantity=2, ttl_seconds=60)
    long = services.reserve_stock(variant=variant, location=store, quantity=3, ttl_seconds=3600)
    done = services.reserve_stock(variant=variant, location=store, quantity=1, ttl_seconds=60)
    services.commit_reservation(reservation=done)

    assert services.release_expired_reservations(now=timezone.now()) == 0
    assert services.release_expired_reservations(now=timezone.now() + dt.timedelta(minutes=5)) == 1

    short.refresh_from_db()
    long.refresh_from_db()
    assert (short.status, long.status) == (ReservationStatus.EXPIRED, ReservationStatus.ACTIVE)
    assert (
        StockMovement.objects.filter(reason=MovementReason.RESERVATION_EXPIRED, reservation=short).count()
        == 1
    )
    assert level_of(variant, store) == (9, 3)
    # a second run finds nothing more to do
    assert services.release_expired_reservations(now=timezone.now() + dt.timedelta(minutes=5)) == 0
    assert services.release_expired_reservations(now=timezone.now() + dt.timedelta(hours=2), limit=10) == 1
    assert level_of(variant, store) == (9, 0)
    assert check_ledger().ok


def test_beat_task_releases_expired(store, variant):
    from inventory import tasks

    receive(variant, store, 2)
    reservation = services.reserve_stock(variant=variant, location=store, quantity=2, ttl_seconds=1)
    Reservation.objects.filter(pk=reservation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.release_expired_reservations() == 1
    assert level_of(variant, store) == (2, 0)


# --- low-stock alerts -----------------------------------------------------------------------------


def test_crossing_the_threshold_raises_one_alert_emailed_after_commit(
    store, variant, eager_celery, django_capture_on_commit_callbacks
):
    manager = store_manager(store, email="manager.aja@example.com")
    store_manager(store, email="former@example.com", is_active=False)
    receive(variant, store, 5)
    services.set_low_stock_threshold(variant=variant, location=store, threshold=3)

    with django_capture_on_commit_callbacks(execute=True):
        services.sell_stock(variant=variant, location=store, quantity=1)  # 4 left: above
    assert StockAlert.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.sell_stock(variant=variant, location=store, quantity=1)  # 3 left: crossed
    alert = StockAlert.objects.get()
    assert (alert.threshold, alert.available, alert.emailed_at) == (3, 3, None)
    assert mail.outbox == []  # nothing sent before the commit
    for callback in callbacks:
        callback()
    alert.refresh_from_db()
    assert alert.emailed_at is not None
    (email,) = mail.outbox
    assert email.to == [manager.email]
    assert email.subject == "[AJA] Low stock: TSHIRT-M-RED"
    assert "3 available" in email.body

    with django_capture_on_commit_callbacks(execute=True):
        services.sell_stock(variant=variant, location=store, quantity=1)  # 2 left: already below
        services.reserve_stock(variant=variant, location=store, quantity=1)  # 1 available: still below
    assert StockAlert.objects.count() == 1 and len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        receive(variant, store, 10)  # back above
        services.sell_stock(variant=variant, location=store, quantity=9)  # 12-1 reserved-9 = 2: crossed again
    assert StockAlert.objects.count() == 2 and len(mail.outbox) == 2


def test_alert_email_goes_to_the_fallback_without_a_store_manager(
    store, variant, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.INVENTORY_ALERT_FALLBACK_EMAIL = "stock-team@example.com"
    receive(variant, store, 2)
    services.set_low_stock_threshold(variant=variant, location=store, threshold=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.sell_stock(variant=variant, location=store, quantity=1)
    assert [m.to for m in mail.outbox] == [["stock-team@example.com"]]


def test_alert_is_emailed_at_most_once(store, variant):
    receive(variant, store, 2)
    services.set_low_stock_threshold(variant=variant, location=store, threshold=1)
    services.sell_stock(variant=variant, location=store, quantity=1)
    alert = StockAlert.objects.get()
    assert services.notify_low_stock(alert_id=alert.pk) is True
    assert services.notify_low_stock(alert_id=alert.pk) is False  # a retried task
    assert services.notify_low_stock(alert_id=alert.pk + 1000) is False  # gone
    assert len(mail.outbox) == 1


def test_set_low_stock_threshold_is_configuration_not_stock(store, variant):
    level = services.set_low_stock_threshold(variant=variant, location=store, threshold=4)
    assert level.low_stock_threshold == 4
    assert level_of(variant, store) == (0, 0)
    assert StockMovement.objects.count() == 0
    services.set_low_stock_threshold(variant=variant, location=store, threshold=None)
    assert StockLevel.objects.get().low_stock_threshold is None
    with pytest.raises(InvalidQuantity):
        services.set_low_stock_threshold(variant=variant, location=store, threshold=-1)
    assert check_ledger().ok  # a zero level without ledger rows is consistent


def test_acknowledge_alerts_keeps_the_first_acknowledgement(store, variant):
    first, second = UserFactory(), UserFactory()
    receive(variant, store, 2)
    services.set_low_stock_threshold(variant=variant, location=store, threshold=1)
    services.sell_stock(variant=variant, location=store, quantity=1)
    alert = StockAlert.objects.get()
    assert services.acknowledge_stock_alerts(alert_ids=[alert.pk], user=first) == 1
    assert services.acknowledge_stock_alerts(alert_ids=[alert.pk], user=second) == 0
    alert.refresh_from_db()
    assert alert.acknowledged_by == first and alert.acknowledged_at is not None


# --- the ledger is append-only --------------------------------------------------------------------


def test_saving_or_deleting_a_ledger_row_raises(store, variant):
    receive(variant, store, 3)
    row = StockMovement.objects.get()
    row.quantity = 300
    with pytest.raises(RuntimeError, match="append-only"):
        row.save()
    with pytest.raises(RuntimeError, match="append-only"):
        row.delete()
    assert StockMovement.objects.get().quantity == 3


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_of_ledger_rows(store, variant):
    receive(variant, store, 3)
    for attempt in (
        lambda: StockMovement.objects.update(quantity=300),
        lambda: StockMovement.objects.all()._raw_delete(StockMovement.objects.db),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert list(StockMovement.objects.values_list("quantity", flat=True)) == [3]


# --- the initial load (seed, first import) --------------------------------------------------------


def test_bulk_initial_load_writes_levels_lots_and_their_ledger(
    store, other_store, variant, lot_variant, user
):
    result = services.bulk_receive_initial_stock(
        rows=[
            InitialStock(variant.pk, store.pk, 10, low_stock_threshold=2),
            InitialStock(variant.pk, other_store.pk, 4),
            InitialStock(lot_variant.pk, store.pk, 3, LotInput("JAN", EXP_JAN)),
            InitialStock(lot_variant.pk, store.pk, 2, LotInput("MAR", EXP_MAR)),
            InitialStock(lot_variant.pk, store.pk, 1, LotInput("JAN", EXP_JAN)),  # same batch: adds up
        ],
        reference="IMPORT-1",
        user=user,
    )
    assert (result.levels, result.lots, result.movements) == (3, 2, 4)
    assert level_of(variant, store) == (10, 0) and level_of(variant, other_store) == (4, 0)
    assert StockLevel.objects.get(variant=variant, location=store).low_stock_threshold == 2
    assert level_of(lot_variant, store) == (6, 0)
    assert lots_of(lot_variant, store) == [("JAN", 4), ("MAR", 2)]
    assert set(StockMovement.objects.values_list("reason", "reference", "user")) == {
        (MovementReason.RECEIPT, "IMPORT-1", user.pk)
    }
    assert check_ledger().ok
    # and the regular services carry on from there
    services.sell_stock(variant=lot_variant, location=store, quantity=5)
    assert lots_of(lot_variant, store) == [("JAN", 0), ("MAR", 1)]
    assert check_ledger().ok


def test_bulk_initial_load_refuses_pairs_that_already_have_stock(store, other_store, variant):
    receive(variant, store, 1)
    before = state()
    with pytest.raises(Conflict):
        services.bulk_receive_initial_stock(
            rows=[InitialStock(variant.pk, other_store.pk, 5), InitialStock(variant.pk, store.pk, 5)],
            reference="IMPORT-2",
        )
    assert state() == before


@pytest.mark.parametrize(
    "row, error",
    [
        (lambda v, lv, s: InitialStock(v.pk, s.pk, 0), InvalidQuantity),
        (lambda v, lv, s: InitialStock(lv.pk, s.pk, 3), LotRequired),
        (lambda v, lv, s: InitialStock(v.pk, s.pk, 3, LotInput("B", None)), ValidationFailed),
        (lambda v, lv, s: InitialStock(v.pk, s.pk, 3, low_stock_threshold=-1), InvalidQuantity),
    ],
)
def test_bulk_initial_load_refuses_bad_rows_and_writes_nothing(store, variant, lot_variant, row, error):
    good = (
        InitialStock(variant.pk, store.pk, 5)
        if row(variant, lot_variant, store).variant_id != variant.pk
        else None
    )
    rows = [r for r in (good, row(variant, lot_variant, store)) if r is not None]
    with pytest.raises(error):
        services.bulk_receive_initial_stock(rows=rows, reference="BAD")
    assert (
        StockLevel.objects.count() == 0
        and StockMovement.objects.count() == 0
        and StockLot.objects.count() == 0
    )


def test_a_batch_number_for_a_variant_without_lots_is_refused_and_changes_nothing(store, variant):
    from inventory.errors import LotNotTracked

    with pytest.raises(LotNotTracked):
        services.receive_stock(variant=variant, location=store, quantity=3, lot=services.LotInput("B-1"))
    with pytest.raises(LotNotTracked):
        services.adjust_stock(variant=variant, location=store, counted=3, lot=services.LotInput("B-1"))
    assert not StockLevel.objects.filter(variant=variant, on_hand__gt=0).exists()
    assert not StockMovement.objects.filter(variant=variant).exists()
