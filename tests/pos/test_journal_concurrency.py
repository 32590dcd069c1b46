"""Concurrent writers of one register's journal (PostgreSQL, real threads): one strict chain, no fork,
no gap; the first of simultaneous receipt prints is the only original."""

import uuid
from decimal import Decimal

import pytest

from inventory import services as inventory
from pos.models import JournalHead, Register
from pos.services import journal
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pos.services.sessions import open_register_session
from tests.concurrency import in_threads
from tests.factories import LocationFactory, ProductFactory, VariantFactory, cashier
from tests.pos.journal_support import assert_linked, chain

D = Decimal
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8


@pytest.fixture
def till():
    store = LocationFactory(code="AJA", name="Ajaccio")
    register = Register.objects.create(store=store, code="aja-1", name="Ajaccio 1")
    user = cashier(store, email="cashier@aja.example")
    variant = VariantFactory(sku="TEE", product=ProductFactory(name="Tee", base_price_ht=D("10")))
    inventory.receive_stock(variant=variant, location=store, quantity=100, reference="PO-1")
    session = open_register_session(register=register, user=user, opening_float=D("0"))
    return register, session, user


def sale(session, user, quantity=1):
    return record_sale(
        session=session,
        user=user,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku="TEE", quantity=quantity)],
        tenders=[TenderInput(kind="cash", amount=D("12.00") * quantity)],
    )


def test_concurrent_sales_on_one_register_make_one_strict_chain(till):
    register, session, user = till

    orders = in_threads(THREADS, lambda i: sale(session, user, quantity=1 + i % 3).order.number)

    entries = chain(register)
    assert_linked(entries)  # sequences 1..8, each linked to the one before: no fork, no gap
    assert sorted(e.reference for e in entries) == sorted(orders)
    running = D("0")
    for entry in entries:
        running += entry.total_gross
        assert entry.grand_total_perpetual == running == entry.grand_total_perpetual_abs
    expected = sum(D("12.00") * (1 + i % 3) for i in range(THREADS))
    head = JournalHead.objects.get(register=register, journal="sales")
    assert (head.last_sequence, head.last_hash, head.grand_total_perpetual) == (
        THREADS,
        entries[-1].hash,
        expected,
    )
    assert journal.verify_chains().ok


def test_technical_events_racing_sales_chain_strictly(till):
    register, session, user = till

    def work(i):
        if i % 2:
            return journal.record_technical_event(
                register=register, kind="drawer_open", user=user, detail={"session": session.pk, "n": i}
            ).sequence
        return sale(session, user).order.number

    in_threads(THREADS, work)

    technical = chain(register, "technical")
    assert_linked(technical)
    assert [e.kind for e in technical].count("drawer_open") == THREADS // 2
    assert_linked(chain(register))
    assert journal.verify_chains().ok


def test_simultaneous_prints_of_a_receipt_give_one_original(till):
    register, session, user = till
    order = sale(session, user).order

    duplicates = in_threads(4, lambda i: journal.record_receipt_print(order=order, user=user))

    assert sorted(duplicates) == [0, 1, 2, 3]
    assert [e.kind for e in chain(register, "technical")] == ["session_open", "receipt_print"] + [
        "reprint"
    ] * 3
