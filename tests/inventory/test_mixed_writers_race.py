"""Real threads on PostgreSQL: every kind of stock writer at one store, on the same variants, at once.

Web checkouts reserve their lines in one order, POS sales list theirs in the opposite order, POS
exchanges return one product and sell another, click & collect hand-overs commit reservations.
Before ``inventory.services.lock_levels`` each writer locked the stock levels in its own order
(cart order, variant id, level pk, order line order) and two of them could wait on each other's
rows crosswise: PostgreSQL broke the cycle with ``deadlock detected``. Now every writer locks the
levels it touches in one global order (location id, then variant id), after its other locks, so
the only way a writer fails here is a clean ``InsufficientStock``.
"""

import time
import uuid
from collections import Counter
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.db.models import F, Sum

from inventory import services as inventory
from inventory.errors import InsufficientStock
from inventory.models import StockLevel, StockMovement
from inventory.selectors import check_ledger
from orders import services as orders
from orders.models import DeliveryMethod, OrderStatus
from orders.services import pickup
from pos.models import Register
from pos.services import returns
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pos.services.sessions import open_register_session
from tests.concurrency import run_in_threads
from tests.factories import LocationFactory, VariantFactory, cashier

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal
EACH = 20  # operations of each kind
AVAILABLE = 15  # units of each variant free for the race
PRICE = D("12.00")  # every variant: 10.00 HT + 20 % VAT, so an exchange moves no money
KINDS = ("web", "pos", "exchange", "collect")


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from config.celery_app import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def _level(variant, store) -> tuple[int, int]:
    level = StockLevel.objects.get(variant=variant, location=store)
    return level.on_hand, level.reserved


def _cash_sale(session, user, variants):
    return record_sale(
        session=session,
        user=user,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku=v.sku, quantity=1) for v in variants],
        tenders=[TenderInput(kind="cash", amount=PRICE * len(variants))],
    )


def test_web_checkouts_pos_sales_exchanges_and_hand_overs_never_deadlock():
    store = LocationFactory(code="AJA", name="Ajaccio")
    variants = [
        VariantFactory(sku=f"V{i}", product__name=f"Product {i}", product__base_price_ht=D("10.00"))
        for i in range(3)
    ]
    anna = cashier(store, first_name="Anna")
    sessions = [
        open_register_session(
            register=Register.objects.create(store=store, code=f"AJA-{n}", name=f"Caisse {n}"),
            user=anna,
            opening_float=D("100.00"),
        )
        for n in range(4)
    ]
    # Stock: what the race may take, plus what the preparation below takes.
    exchange_from = [i % 3 for i in range(EACH)]  # the variant each exchange brings back
    for i, variant in enumerate(variants):
        inventory.receive_stock(
            variant=variant,
            location=store,
            quantity=AVAILABLE + EACH + exchange_from.count(i),
            reference="PO",
        )
    # The sales the exchanges bring a unit back from (one unit each).
    origins = [
        _cash_sale(sessions[i % 4], anna, [variants[exchange_from[i]]]).order.number for i in range(EACH)
    ]
    # The click & collect orders the hand-overs give out: paid and ready, their units reserved.
    ready = []
    for i in range(EACH):
        order = orders.place_web_order(
            lines=[orders.LineInput(v, 1) for v in reversed(variants)],
            location=store,
            delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
            email=f"ready{i}@example.com",
        )
        orders.transition_order(order=order, to_status=OrderStatus.PAID)
        ready.append(pickup.mark_ready_for_pickup(order=order, user=anna))
    before = {v.pk: _level(v, store) for v in variants}
    assert all(on_hand - reserved == AVAILABLE for on_hand, reserved in before.values())
    assert all(reserved == EACH for _, reserved in before.values())

    def web(i):  # lines from the highest variant id down
        order = orders.place_web_order(
            lines=[orders.LineInput(v, 1) for v in reversed(variants)],
            location=store,
            delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
            email=f"web{i}@example.com",
        )
        orders.transition_order(order=order, to_status=OrderStatus.PAID)
        return None

    def pos(i):  # the opposite order
        _cash_sale(sessions[i % 4], anna, variants)
        return None

    def exchange(i):  # bring one unit back, take one of the next variant
        back, new = variants[exchange_from[i]], variants[(exchange_from[i] + 1) % 3]
        returns.create_exchange(
            session=sessions[(i + 1) % 4],
            user=anna,
            client_uuid=uuid.uuid4(),
            sale_number=origins[i],
            return_lines=[returns.ReturnLineInput(back.sku, 1)],
            sale_lines=[SaleLineInput(sku=new.sku, quantity=1)],
        )
        return (back.pk, new.pk)

    def collect(i):
        pickup.collect_order(order=ready[i], user=anna)
        return None

    def work(n):
        kind, i = KINDS[n % 4], n // 4
        try:
            value = {"web": web, "pos": pos, "exchange": exchange, "collect": collect}[kind](i)
        except Exception as exc:  # classified below
            return kind, exc
        return kind, value

    started = time.monotonic()
    outcomes = run_in_threads(4 * EACH, work, timeout=180)
    elapsed = time.monotonic() - started

    failures = [
        (k, o) for k, o in outcomes if isinstance(o, Exception) and not isinstance(o, InsufficientStock)
    ]
    deadlocks = [(k, o) for k, o in failures if isinstance(o, OperationalError)]
    tally = Counter(
        (k, "refused" if isinstance(o, InsufficientStock) else "failed" if isinstance(o, Exception) else "ok")
        for k, o in outcomes
    )
    print(
        f"\nmixed writers, {elapsed:.2f}s: "
        + ", ".join(
            f"{k} {tally[(k, 'ok')]} ok / {tally[(k, 'refused')]} refused / {tally[(k, 'failed')]} failed"
            for k in KINDS
        )
        + f"; deadlocks {len(deadlocks)}, other errors {len(failures) - len(deadlocks)}"
    )
    assert deadlocks == []
    assert failures == []
    assert tally[("collect", "ok")] == EACH  # held units are always there for the shopper

    # Every figure follows from the outcomes, and the ledger explains every level.
    ok = {kind: [o for k, o in outcomes if k == kind and not isinstance(o, Exception)] for kind in KINDS}
    for v in variants:
        returned = sum(1 for back, _ in ok["exchange"] if back == v.pk)
        sold_new = sum(1 for _, new in ok["exchange"] if new == v.pk)
        on_hand, reserved = _level(v, store)
        assert on_hand == before[v.pk][0] - len(ok["pos"]) - sold_new + returned - len(ok["collect"])
        assert reserved == before[v.pk][1] + len(ok["web"]) - len(ok["collect"])
        # Sold or held in the race: never more than was free plus what came back.
        assert len(ok["web"]) + len(ok["pos"]) + sold_new <= AVAILABLE + returned
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    assert not StockLevel.objects.filter(reserved__gt=F("on_hand")).exists()
    report = check_ledger()
    assert report.ok, report.mismatches
    for v in variants:
        sums = StockMovement.objects.filter(variant=v, location=store).aggregate(
            q=Sum("quantity"), r=Sum("reserved_delta")
        )
        assert (sums["q"], sums["r"]) == _level(v, store)
