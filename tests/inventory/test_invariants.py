"""Tests that try hard to break the stock invariants.

1. Real threads racing on PostgreSQL for the last units (no oversell, no deadlock, ledger balanced).
2. A hypothesis state machine of random operations on 2 variants (one lot-tracked) x 3 locations,
   checked after every step against a pure-Python model of what the stock must be.
"""

import datetime as dt
import random
from collections import Counter, defaultdict

import hypothesis.strategies as st
import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from inventory import services
from inventory.errors import InsufficientStock, ReservationNotActive, SameLocation
from inventory.models import Reservation, StockLevel, StockLot, StockMovement
from inventory.selectors import check_ledger
from inventory.services import LotInput
from tests.concurrency import run_in_threads
from tests.factories import LocationFactory, ProductFactory, VariantFactory

# --- 1. threads against PostgreSQL ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_race_for_five_units(store, variant):
    # given 5 units at one store
    services.receive_stock(variant=variant, location=store, quantity=5, reference="PO-1")

    # when 20 cashiers sell 1 unit each at the same instant
    def sell(i):
        services.sell_stock(variant=variant, location=store, quantity=1, reference=f"T-{i}")
        return "sold"

    outcomes = run_in_threads(20, sell, timeout=120)

    # then exactly 5 sales went through and 15 were refused, nothing else happened
    assert Counter(type(o).__name__ if isinstance(o, Exception) else o for o in outcomes) == {
        "sold": 5,
        "InsufficientStock": 15,
    }
    level = StockLevel.objects.get(variant=variant, location=store)
    assert (level.on_hand, level.reserved) == (0, 0)
    assert StockMovement.objects.filter(reason="sale").count() == 5
    call_command("check_stock")  # raises CommandError on any mismatch


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_mixed_race_sell_reserve_transfer_both_ways_across_two_locations(store, other_store):
    # given a plain and a lot-tracked variant, 30 units of each at two stores
    plain = VariantFactory(sku="RACE-PLAIN")
    lotted = VariantFactory(sku="RACE-LOT", product=ProductFactory(tracks_lots=True))
    locations = [store, other_store]
    for location in locations:
        services.receive_stock(variant=plain, location=location, quantity=30)
        services.receive_stock(
            variant=lotted, location=location, quantity=30, lot=LotInput("L0", dt.date(2030, 1, 1))
        )

    # when 16 threads run 25 random operations each, transfers going both ways
    def work(i):
        rng = random.Random(i)
        done: Counter = Counter()
        for step in range(25):
            variant = rng.choice([plain, lotted])
            here, there = rng.sample(locations, 2)
            op = rng.choice(["sell", "reserve", "transfer", "transfer", "receive"])
            quantity = rng.randint(1, 4)
            try:
                if op == "sell":
                    services.sell_stock(variant=variant, location=here, quantity=quantity)
                    done["sold"] += quantity
                elif op == "reserve":
                    reservation = services.reserve_stock(variant=variant, location=here, quantity=quantity)
                    if rng.random() < 0.5:
                        services.commit_reservation(reservation=reservation)
                        done["sold"] += quantity
                    else:
                        services.release_reservation(reservation=reservation)
                elif op == "transfer":
                    services.transfer_stock(
                        variant=variant, from_location=here, to_location=there, quantity=quantity
                    )
                else:
                    lot = (
                        LotInput(f"T{i}-{step % 3}", dt.date(2030, 1 + step % 3, 1))
                        if variant == lotted
                        else None
                    )
                    services.receive_stock(variant=variant, location=here, quantity=quantity, lot=lot)
                    done["received"] += quantity
                done[op] += 1
            except InsufficientStock:
                done["refused"] += 1
        return done

    outcomes = run_in_threads(16, work, timeout=120)

    # then no thread hit anything but a clean refusal (no deadlock, no constraint violation)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    totals = sum(outcomes, Counter())
    assert totals["sell"] + totals["reserve"] + totals["transfer"] > 50
    # and every unit is accounted for: nothing oversold, nothing created
    on_hand = StockLevel.objects.aggregate(s=Sum("on_hand"))["s"]
    assert on_hand == 120 + totals["received"] - totals["sold"]
    assert StockLevel.objects.filter(reserved__gt=0).count() == 0
    assert all(level.on_hand >= 0 for level in StockLevel.objects.all())
    report = check_ledger()
    assert report.ok, report.mismatches
    call_command("check_stock")


# --- 2. a state machine of random operations --------------------------------------------------------

EXPIRY = {"A": dt.date(2030, 1, 1), "B": dt.date(2030, 6, 1), "C": None}  # C has no expiry: sold last
VARIANT = st.integers(0, 1)  # 0: plain, 1: lot-tracked
LOCATION = st.integers(0, 2)
QUANTITY = st.integers(1, 12)
BATCH = st.sampled_from(sorted(EXPIRY))


class StockMachine(RuleBasedStateMachine):
    """Random receive / sell / loss / reserve / release / commit / expire / transfer / count."""

    locations: list = []
    reservations = Bundle("reservations")

    def __init__(self):
        super().__init__()
        # fresh variants per example: examples share the test's database transaction
        self.variants = [VariantFactory(), VariantFactory(product=ProductFactory(tracks_lots=True))]
        self.on_hand: dict = defaultdict(int)
        self.reserved: dict = defaultdict(int)
        self.lots: dict = defaultdict(int)  # (v, loc, batch) -> quantity
        self.status: dict = {}  # reservation id -> [v, loc, quantity, status]

    # --- the model ---

    def available(self, v, loc):
        return self.on_hand[(v, loc)] - self.reserved[(v, loc)]

    def take_lots(self, v, loc, quantity):
        """FEFO, as the services must do it: earliest expiry first, no expiry last."""
        parts = []
        for batch in sorted(EXPIRY, key=lambda b: (EXPIRY[b] is None, EXPIRY[b] or dt.date.min)):
            taken = min(self.lots[(v, loc, batch)], quantity)
            if taken:
                self.lots[(v, loc, batch)] -= taken
                parts.append((batch, taken))
                quantity -= taken
        assert quantity == 0, "the model's lots must cover on hand"
        return parts

    def db_state(self):
        ids = [v.pk for v in self.variants]
        return (
            sorted(StockLevel.objects.filter(variant_id__in=ids).values_list("pk", "on_hand", "reserved")),
            sorted(StockLot.objects.filter(variant_id__in=ids).values_list("pk", "quantity")),
            StockMovement.objects.filter(variant_id__in=ids).count(),
            sorted(Reservation.objects.filter(variant_id__in=ids).values_list("pk", "status")),
        )

    def refused(self, call, error=InsufficientStock):
        before = self.db_state()
        with pytest.raises(error):
            call()
        assert self.db_state() == before, "a refused operation changed something"

    def lot_for(self, v, batch):
        return LotInput(batch, EXPIRY[batch]) if v == 1 else None

    # --- the rules ---

    @rule(v=VARIANT, loc=LOCATION, q=QUANTITY, batch=BATCH, returned=st.booleans())
    def receive(self, v, loc, q, batch, returned):
        call = services.return_to_stock if returned else services.receive_stock
        call(variant=self.variants[v], location=self.locations[loc], quantity=q, lot=self.lot_for(v, batch))
        self.on_hand[(v, loc)] += q
        if v == 1:
            self.lots[(v, loc, batch)] += q

    @rule(v=VARIANT, loc=LOCATION, q=QUANTITY, loss=st.booleans())
    def remove(self, v, loc, q, loss):
        call = services.record_loss if loss else services.sell_stock
        kwargs = {"variant": self.variants[v], "location": self.locations[loc], "quantity": q}
        if q > self.available(v, loc):
            self.refused(lambda: call(**kwargs))
            return
        change = call(**kwargs)
        self.on_hand[(v, loc)] -= q
        if v == 1:
            parts = self.take_lots(v, loc, q)
            assert [(m.lot.batch, -m.quantity) for m in change.movements] == parts

    @rule(target=reservations, v=VARIANT, loc=LOCATION, q=QUANTITY)
    def reserve(self, v, loc, q):
        kwargs = {"variant": self.variants[v], "location": self.locations[loc], "quantity": q}
        if q > self.available(v, loc):
            self.refused(lambda: services.reserve_stock(**kwargs))
            return multiple()
        reservation = services.reserve_stock(**kwargs, ttl_seconds=3600)
        self.reserved[(v, loc)] += q
        self.status[reservation.pk] = [v, loc, q, "active"]
        return reservation.pk

    @rule(pk=reservations, commit=st.booleans())
    def close(self, pk, commit):
        v, loc, q, status = self.status[pk]
        reservation = Reservation.objects.get(pk=pk)
        call = services.commit_reservation if commit else services.release_reservation
        if status != "active":
            self.refused(lambda: call(reservation=reservation), ReservationNotActive)
            return
        call(reservation=reservation)
        self.reserved[(v, loc)] -= q
        if commit:
            self.on_hand[(v, loc)] -= q
            if v == 1:
                self.take_lots(v, loc, q)
        self.status[pk][3] = "committed" if commit else "released"

    @rule()
    def expire(self):
        services.release_expired_reservations(now=timezone.now() + dt.timedelta(hours=2))
        for entry in self.status.values():
            v, loc, q, status = entry
            if status == "active":
                self.reserved[(v, loc)] -= q
                entry[3] = "expired"

    @rule(v=VARIANT, src=LOCATION, dst=LOCATION, q=QUANTITY)
    def transfer(self, v, src, dst, q):
        kwargs = {
            "variant": self.variants[v],
            "from_location": self.locations[src],
            "to_location": self.locations[dst],
            "quantity": q,
        }
        if src == dst:
            self.refused(lambda: services.transfer_stock(**kwargs), SameLocation)
            return
        if q > self.available(v, src):
            self.refused(lambda: services.transfer_stock(**kwargs))
            return
        services.transfer_stock(**kwargs)
        self.on_hand[(v, src)] -= q
        self.on_hand[(v, dst)] += q
        if v == 1:
            for batch, taken in self.take_lots(v, src, q):
                self.lots[(v, dst, batch)] += taken

    @rule(v=VARIANT, loc=LOCATION, counted=st.integers(0, 25), batch=BATCH)
    def count(self, v, loc, counted, batch):
        current = self.lots[(v, loc, batch)] if v == 1 else self.on_hand[(v, loc)]
        delta = counted - current
        kwargs = {"variant": self.variants[v], "location": self.locations[loc], "counted": counted}
        if self.on_hand[(v, loc)] + delta < self.reserved[(v, loc)]:
            self.refused(lambda: services.adjust_stock(**kwargs, lot=self.lot_for(v, batch)))
            return
        services.adjust_stock(**kwargs, lot=self.lot_for(v, batch))
        self.on_hand[(v, loc)] += delta
        if v == 1:
            self.lots[(v, loc, batch)] = counted

    # --- after every step ---

    @invariant()
    def stock_matches_the_model_and_the_ledger(self):
        ids = {variant.pk: v for v, variant in enumerate(self.variants)}
        loc_ids = {location.pk: loc for loc, location in enumerate(self.locations)}
        levels = {
            (ids[vid], loc_ids[lid]): (on_hand, reserved)
            for vid, lid, on_hand, reserved in StockLevel.objects.filter(variant_id__in=ids).values_list(
                "variant_id", "location_id", "on_hand", "reserved"
            )
        }
        ledger = {
            (ids[row["variant_id"]], loc_ids[row["location_id"]]): (row["q"], row["r"])
            for row in StockMovement.objects.filter(variant_id__in=ids)
            .order_by()
            .values("variant_id", "location_id")
            .annotate(q=Sum("quantity"), r=Sum("reserved_delta"))
        }
        lots = {
            (ids[vid], loc_ids[lid], batch): quantity
            for vid, lid, batch, quantity in StockLot.objects.filter(variant_id__in=ids).values_list(
                "variant_id", "location_id", "batch", "quantity"
            )
        }
        for v in range(2):
            for loc in range(3):
                on_hand, reserved = levels.get((v, loc), (0, 0))
                assert on_hand >= 0 and 0 <= reserved <= on_hand
                assert (on_hand, reserved) == (self.on_hand[(v, loc)], self.reserved[(v, loc)])
                assert ledger.get((v, loc), (0, 0)) == (on_hand, reserved)
                if v == 1:
                    for batch in EXPIRY:
                        assert lots.get((v, loc, batch), 0) == self.lots[(v, loc, batch)]
                    assert sum(lots.get((v, loc, b), 0) for b in EXPIRY) == on_hand


@pytest.mark.django_db
def test_random_operations_never_break_the_invariants():
    StockMachine.locations = [LocationFactory(code=code) for code in ("SM1", "SM2", "SM3")]
    run_state_machine_as_test(
        StockMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=False,
            database=None,
        ),
    )
    report = check_ledger()
    assert report.ok, report.mismatches
