"""The till's chained journal: every sale, return and closing appends an entry with exact amounts
and perpetual grand totals, in the transaction of what it records; technical events have their own
chain; the database refuses UPDATE and DELETE; ``verify_till_journal`` finds a changed amount."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from pos.errors import TendersShort
from pos.models import JournalEntry, JournalHead
from pos.services import journal
from pos.services.returns import ReturnLineInput, create_exchange, create_return
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pos.services.sessions import cash_in_out, close_register_session
from tests.core.api_helpers import api_client
from tests.pos.journal_support import GENESIS, assert_linked, behind_the_trigger, chain, trigger_names

D = Decimal
pytestmark = pytest.mark.django_db
VAT20 = "0.2000"


def test_a_sale_appends_an_entry_with_its_exact_amounts_and_the_grand_totals(
    session, cashier_user, tshirt, mug, sell
):
    order = sell(
        session, cashier_user, [("TSHIRT-M-RED", 2), ("MUG-1", 1)], [("card", "20.00"), ("cash", "20.00")]
    ).order

    [entry] = chain(session.register)
    assert (entry.sequence, entry.kind, entry.reference, entry.session, entry.user) == (
        1,
        "sale",
        order.number,
        session,
        cashier_user,
    )
    assert entry.total_gross == D("31.50")
    assert entry.vat == {VAT20: {"net": "26.25", "vat": "5.25", "gross": "31.50"}}
    assert (entry.grand_total_perpetual, entry.grand_total_perpetual_abs) == (D("31.50"), D("31.50"))
    assert entry.previous_hash == GENESIS and entry.hash == entry.compute_hash() and len(entry.hash) == 64
    assert entry.occurred_at == order.pos_sale.sold_at
    assert entry.payload["tenders"] == [
        {"tender": "card", "amount": "20.00", "change": "0.00", "net": "20.00"},
        {"tender": "cash", "amount": "20.00", "change": "8.50", "net": "11.50"},
    ]
    assert [(x["sku"], x["quantity"], x["total_gross"]) for x in entry.payload["lines"]] == [
        ("TSHIRT-M-RED", 2, "24.00"),
        ("MUG-1", 1, "7.50"),
    ]
    assert (entry.payload["total_net"], entry.payload["total_vat"], entry.payload["offline"]) == (
        "26.25",
        "5.25",
        False,
    )


def test_a_return_is_negative_and_the_grand_totals_net_it_out_or_add_it_up(
    session, cashier_user, tshirt, mug, sell
):
    first = sell(session, cashier_user, [("TSHIRT-M-RED", 2), ("MUG-1", 1)], [("card", "31.50")]).order
    sell(session, cashier_user, [("MUG-1", 1)], [("cash", "7.50")])

    result = create_return(
        session=session,
        user=cashier_user,
        sale_number=first.number,
        lines=[ReturnLineInput(sku="TSHIRT-M-RED", quantity=1)],
        refund_reference="TERM-9",
    )

    entries = chain(session.register)
    assert_linked(entries)
    assert [
        (e.kind, e.total_gross, e.grand_total_perpetual, e.grand_total_perpetual_abs) for e in entries
    ] == [
        ("sale", D("31.50"), D("31.50"), D("31.50")),
        ("sale", D("7.50"), D("39.00"), D("39.00")),
        ("return", D("-12.00"), D("27.00"), D("51.00")),
    ]
    ret = entries[2]
    assert ret.reference == result.ret.number
    assert ret.vat == {VAT20: {"net": "-10.00", "vat": "-2.00", "gross": "-12.00"}}
    assert ret.payload["refunds"] == [{"tender": "card", "amount": "12.00"}]
    assert ret.payload["order"] == first.number
    head = JournalHead.objects.get(register=session.register, journal="sales")
    assert (head.last_sequence, head.last_hash, head.grand_total_perpetual) == (3, ret.hash, D("27.00"))


def test_an_exchange_chains_the_new_sale_then_the_return(session, cashier_user, tshirt, mug, sell):
    first = sell(session, cashier_user, [("MUG-1", 1)], [("cash", "7.50")]).order

    create_exchange(
        session=session,
        user=cashier_user,
        client_uuid=uuid.uuid4(),
        sale_number=first.number,
        return_lines=[ReturnLineInput(sku="MUG-1", quantity=1)],
        sale_lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=1)],
        tenders=[TenderInput(kind="cash", amount=D("4.50"))],
    )

    entries = chain(session.register)
    assert_linked(entries)
    assert [
        (e.kind, e.total_gross, e.grand_total_perpetual, e.grand_total_perpetual_abs) for e in entries
    ] == [
        ("sale", D("7.50"), D("7.50"), D("7.50")),
        ("sale", D("12.00"), D("19.50"), D("19.50")),
        ("return", D("-7.50"), D("12.00"), D("27.00")),
    ]
    assert entries[2].payload["refunds"] == [{"tender": "exchange", "amount": "7.50"}]


def test_a_refused_sale_and_a_rolled_back_one_leave_no_entry(session, cashier_user, tshirt, sell):
    with pytest.raises(TendersShort):
        sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "5.00")])
    with pytest.raises(RuntimeError), transaction.atomic():
        sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])
        assert len(chain(session.register)) == 1  # written in the sale's transaction...
        raise RuntimeError("the caller's transaction fails after the sale")
    assert chain(session.register) == []  # ...and gone with it
    assert not JournalHead.objects.filter(register=session.register, journal="sales", last_sequence__gt=0)

    sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])

    [entry] = chain(session.register)
    assert (entry.sequence, entry.previous_hash, entry.grand_total_perpetual) == (1, GENESIS, D("12.00"))


def test_technical_events_have_their_own_chain(session, register, cashier_user, manager_user, tshirt, sell):
    cash_in_out(
        session=session, user=cashier_user, amount="50", kind="cash_in", reason="change from the bank"
    )
    record_sale(
        session=session,
        user=manager_user,
        client_uuid=uuid.uuid4(),
        lines=[
            SaleLineInput(sku="TSHIRT-M-RED", quantity=1, discount_gross=D("2.00"), discount_reason="stain")
        ],
        tenders=[TenderInput(kind="cash", amount=D("10.00"))],
    )
    cash_in_out(session=session, user=cashier_user, amount="20", kind="cash_out", reason="to the safe")

    entries = chain(register, "technical")
    assert_linked(entries)
    assert [e.kind for e in entries] == ["session_open", "cash_in", "line_discount", "cash_out"]
    assert entries[0].payload == {"session": session.pk, "opening_float": "100.00"}
    assert entries[1].payload == {"session": session.pk, "amount": "50.00", "reason": "change from the bank"}
    assert entries[2].payload["lines"] == [
        {"sku": "TSHIRT-M-RED", "unit_gross": "12.00", "quantity": 1, "discount": "2.00", "reason": "stain"}
    ]
    assert entries[3].payload["amount"] == "-20.00"
    assert all(e.grand_total_perpetual is None for e in entries)
    [sale] = chain(register)
    assert sale.total_gross == D("10.00")


def test_record_technical_event_refuses_a_kind_of_another_journal(register, cashier_user):
    with pytest.raises(Exception, match="not a technical event"):
        journal.record_technical_event(register=register, kind="sale", user=cashier_user, detail={})
    assert JournalEntry.objects.count() == 0


def test_closing_a_session_writes_its_z_and_a_technical_entry(session, cashier_user, tshirt, mug, sell):
    first = sell(session, cashier_user, [("TSHIRT-M-RED", 2)], [("card", "24.00")]).order
    sell(session, cashier_user, [("MUG-1", 2)], [("cash", "20.00")])
    create_return(
        session=session,
        user=cashier_user,
        sale_number=first.number,
        lines=[ReturnLineInput(sku="TSHIRT-M-RED", quantity=1)],
        refund_reference="TERM-1",
    )

    close_register_session(session=session, user=cashier_user, counts={"50": 2, "10": 1, "5": 1})

    [z] = chain(session.register, "closings")
    assert (z.kind, z.period, z.sequence, z.previous_hash, z.session) == (
        "z",
        f"session-{session.pk}",
        1,
        GENESIS,
        session,
    )
    assert z.total_gross == D("27.00")  # 24.00 + 15.00 - 12.00
    assert (z.grand_total_perpetual, z.grand_total_perpetual_abs) == (D("27.00"), D("51.00"))
    assert z.vat == {VAT20: {"net": "22.50", "vat": "4.50", "gross": "27.00"}}
    p = z.payload
    assert (p["sales_count"], p["returns_count"], p["sales_total"], p["returns_total"], p["net_total"]) == (
        2,
        1,
        "39.00",
        "12.00",
        "27.00",
    )
    assert p["tenders"] == {"card": "12.00", "cash": "15.00"}
    assert (p["first_sequence"], p["last_sequence"]) == (1, 3)
    assert [e.kind for e in chain(session.register, "technical")] == ["session_open", "session_close"]
    assert journal.z_closing(session) == z


def test_the_z_report_page_has_the_journal_closing_in_its_context(
    client, session, cashier_user, tshirt, sell
):
    sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])
    close_register_session(session=session, user=cashier_user, counts={"100": 1, "10": 1, "2": 1})
    client.force_login(cashier_user)

    response = client.get(f"/pos/sessions/{session.pk}/z/")

    assert response.status_code == 200
    closing = response.context["journal_closing"]
    assert (closing.kind, closing.total_gross, closing.grand_total_perpetual) == ("z", D("12.00"), D("12.00"))


def test_the_database_refuses_update_and_delete_of_entries(session, cashier_user, tshirt, sell):
    sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])
    entry = chain(session.register)[0]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(total_gross=D("1.00"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JournalEntry.objects.all()._raw_delete(JournalEntry.objects.db)

    entry.refresh_from_db()
    assert entry.total_gross == D("12.00") and entry.compute_hash() == entry.hash


def test_verify_passes_then_names_the_entry_whose_amount_was_changed(
    session, register, cashier_user, tshirt, mug, sell, capsys
):
    for lines in ([("TSHIRT-M-RED", 1)], [("MUG-1", 1)], [("TSHIRT-M-RED", 1)]):
        sell(session, cashier_user, lines, [("cash", "20.00")])
    call_command("verify_till_journal")
    assert "Till journal OK: 2 chain(s), 4 entries verified" in capsys.readouterr().out

    behind_the_trigger(
        "UPDATE pos_journalentry SET total_gross = 1.50 WHERE journal = 'sales' AND sequence = 2"
    )

    with pytest.raises(CommandError) as refused:
        call_command("verify_till_journal", "--register", "aja-1")
    assert str(refused.value) == (
        "Till journal BROKEN at register aja-1, sales journal, entry #2: "
        "its content does not match its hash (changed after it was written)"
    )


def test_verify_finds_a_rehashed_entry_a_removed_one_and_a_cut_tail(session, cashier_user, tshirt, sell):
    for _ in range(3):
        sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])
    entries = chain(session.register)

    # An amount changed and the entry's own hash recomputed: the next entry no longer links to it.
    second = entries[1]
    forged = JournalEntry(**{f.attname: getattr(second, f.attname) for f in JournalEntry._meta.fields})
    forged.total_gross = D("2.00")
    behind_the_trigger(
        "UPDATE pos_journalentry SET total_gross = %s, hash = %s WHERE id = %s",
        [D("2.00"), forged.compute_hash(), second.pk],
    )
    result = journal.verify_chains()
    assert str(result.broken) == (
        "register aja-1, sales journal, entry #2: grand totals 24.00 / 24.00 where 14.00 / 14.00 add up"
    )

    behind_the_trigger(
        "UPDATE pos_journalentry SET total_gross = %s, hash = %s WHERE id = %s",
        [second.total_gross, second.hash, second.pk],
    )
    assert journal.verify_chains().ok
    behind_the_trigger("DELETE FROM pos_journalentry WHERE id = %s", [second.pk])
    assert str(journal.verify_chains().broken) == (
        "register aja-1, sales journal, entry #3: sequence 3 where 2 was expected"
    )

    behind_the_trigger("DELETE FROM pos_journalentry WHERE id = %s", [entries[2].pk])
    assert str(journal.verify_chains().broken) == (
        "register aja-1, sales journal, entry #2: missing: the chain head says #3, the chain ends at #1"
    )


def test_verify_of_an_unknown_register_is_an_error(db):
    with pytest.raises(CommandError, match="No register has the code 'nope'"):
        call_command("verify_till_journal", "--register", "nope")


def test_offline_sales_enter_the_chain_in_the_order_the_server_receives_them(
    session, register, cashier_user, tshirt, mug
):
    now = timezone.now()
    sold = [now - dt.timedelta(minutes=10), now - dt.timedelta(minutes=40)]  # the later sale first
    batch = [
        {
            "uuid": str(uuid.uuid4()),
            "session": session.pk,
            "lines": [{"sku": sku, "quantity": 1}],
            "tenders": [{"kind": "cash", "amount": "20.00"}],
            "offline": True,
            "sold_at": at.isoformat(),
        }
        for sku, at in zip(["TSHIRT-M-RED", "MUG-1"], sold, strict=True)
    ]
    client = api_client(cashier_user)

    response = client.post("/api/v1/pos/sales/sync/", {"sales": batch}, format="json")
    again = client.post("/api/v1/pos/sales/sync/", {"sales": batch}, format="json")

    assert [r["status"] for r in response.json()["results"]] == ["created", "created"]
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
    numbers = [r["number"] for r in response.json()["results"]]
    entries = chain(register)
    assert_linked(entries)
    assert [(e.reference, e.occurred_at, e.payload["offline"]) for e in entries] == [
        (numbers[0], sold[0], True),
        (numbers[1], sold[1], True),
    ]
    assert entries[0].created_at < entries[1].created_at
    assert [e.grand_total_perpetual for e in entries] == [D("12.00"), D("19.50")]
    syncs = [e for e in chain(register, "technical") if e.kind == "offline_sync"]
    assert len(syncs) == 1  # the replayed batch recorded nothing
    assert syncs[0].payload["sales"] == numbers and syncs[0].payload["count"] == 2


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_journal_and_keeps_the_trigger(session, cashier_user, tshirt, sell):
    """pytest-django flushes between transactional tests: on SQLite a DELETE per table."""
    sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])
    before = trigger_names()
    assert before

    call_command("flush", interactive=False, verbosity=0)

    assert JournalEntry.objects.count() == 0
    assert trigger_names() == before
