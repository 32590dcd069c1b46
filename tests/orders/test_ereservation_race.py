"""Real threads on PostgreSQL: two shoppers reserving the last unit (one wins, no oversell); a till
sale racing the expiry task and a release (each reservation ends exactly one way)."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from inventory.errors import InsufficientStock
from inventory.selectors import check_ledger
from orders.errors import EReservationClosed, EReservationExpired
from orders.models import EReservation, Order, OrderStatus
from orders.services import ereservation
from orders.services.ereservation import ReserveLine
from pos.services import ereservations as till
from pos.services.sales import TenderInput
from tests.concurrency import run_in_threads
from tests.orders.ereservation_support import reserve
from tests.pos.returns_support import *  # noqa: F403
from tests.pos.returns_support import level

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_shoppers_reserving_the_last_unit_one_wins(pos):
    from inventory import services as inventory

    inventory.sell_stock(variant=pos.tee, location=pos.aja, quantity=9, reference="S-1")  # one tee left

    def work(i):
        return ereservation.reserve_in_store(
            lines=[ReserveLine(pos.tee, 1)],
            store_code="AJA",
            name=f"Shopper {i}",
            email=f"shopper{i}@example.com",
            phone=f"06000000{i:02d}",
        )

    outcomes = run_in_threads(4, work)

    won = [o for o in outcomes if isinstance(o, Order)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1 and len(lost) == 3
    assert all(isinstance(e, InsufficientStock) for e in lost), lost
    assert level(pos.tee, pos.aja) == (1, 1)  # held once, never more than on hand
    assert Order.objects.filter(status=OrderStatus.RESERVED).count() == 1
    assert check_ledger().mismatches == []


def test_a_till_sale_racing_expiry_and_release_ends_one_way(pos):
    order = reserve(pos)
    hold = EReservation.objects.get(order=order)
    now = hold.hold_until - dt.timedelta(seconds=1)  # still held for the till

    def work(i):
        if i == 0:
            return till.sell_e_reservation(
                session=pos.session,
                user=pos.anna,
                number=order.number,
                client_uuid=uuid.uuid4(),
                tenders=[TenderInput(kind="card", amount=Decimal("25.00"))],
            )
        if i == 1:
            return ereservation.expire_e_reservations(now=hold.hold_until + dt.timedelta(seconds=1))
        return till.release_at_till(store=pos.aja, user=pos.anna, number=order.number, reason="race")

    assert now < hold.hold_until
    outcomes = run_in_threads(3, work)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(e, EReservationClosed | EReservationExpired) for e in errors), errors
    final = Order.objects.get(pk=order.pk)
    if final.status == OrderStatus.BOUGHT_IN_STORE:
        assert level(pos.tee, pos.aja) == (8, 0)
    else:
        assert final.status == OrderStatus.CANCELLED
        assert level(pos.tee, pos.aja) == (10, 0)
    assert check_ledger().mismatches == []
