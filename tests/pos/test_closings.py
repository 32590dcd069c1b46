"""Monthly and yearly closings: computed from the sales chain, exact, chained in the closings chain,
idempotent, refused before the period ends; ``manage.py close_till_period``."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from pos.models import JournalEntry
from pos.services import closings, journal
from pos.services.returns import ReturnLineInput, create_return
from tests.pos.journal_support import assert_linked, chain

D = Decimal
PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db
VAT20 = "0.2000"


def at(*args):
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def clock(monkeypatch):
    """Set the journal's server clock (``created_at`` of the entries written next)."""

    def set_to(moment):
        monkeypatch.setattr(journal, "_now", lambda: moment)

    return set_to


@pytest.fixture
def two_months(session, cashier_user, tshirt, mug, sell, clock):
    """October: a tee (12.00 cash) and two mugs (15.00 card). November: a tee (12.00 cash) and one
    October mug back to the card (7.50)."""
    clock(at(2026, 10, 15, 10, 0))
    sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])
    mugs = sell(session, cashier_user, [("MUG-1", 2)], [("card", "15.00")]).order
    clock(at(2026, 11, 3, 9, 0))
    sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])
    create_return(
        session=session,
        user=cashier_user,
        sale_number=mugs.number,
        lines=[ReturnLineInput(sku="MUG-1", quantity=1)],
        refund_reference="TERM-4",
    )
    return session.register


def test_a_month_closing_adds_up_the_months_sales_chain_exactly(two_months, clock):
    clock(at(2026, 12, 1, 0, 5))

    october = closings.close_month(year=2026, month=10, now=at(2026, 12, 1, 0, 5))
    november = closings.close_month(year=2026, month=11, now=at(2026, 12, 1, 0, 5))

    [oct_entry] = october.created
    assert (oct_entry.kind, oct_entry.period, oct_entry.journal) == ("month", "2026-10", "closings")
    assert oct_entry.total_gross == D("27.00")
    assert (oct_entry.grand_total_perpetual, oct_entry.grand_total_perpetual_abs) == (D("27.00"), D("27.00"))
    assert oct_entry.vat == {VAT20: {"net": "22.50", "vat": "4.50", "gross": "27.00"}}
    p = oct_entry.payload
    assert (p["sales_count"], p["returns_count"], p["sales_total"], p["returns_total"], p["net_total"]) == (
        2,
        0,
        "27.00",
        "0.00",
        "27.00",
    )
    assert p["tenders"] == {"card": "15.00", "cash": "12.00"}
    assert (p["first_sequence"], p["last_sequence"], p["register"]) == (1, 2, "aja-1")

    [nov_entry] = november.created
    assert nov_entry.total_gross == D("4.50")
    assert (nov_entry.grand_total_perpetual, nov_entry.grand_total_perpetual_abs) == (D("31.50"), D("46.50"))
    assert nov_entry.vat == {VAT20: {"net": "3.75", "vat": "0.75", "gross": "4.50"}}
    q = nov_entry.payload
    assert (q["sales_count"], q["returns_count"], q["sales_total"], q["returns_total"]) == (
        1,
        1,
        "12.00",
        "7.50",
    )
    assert q["tenders"] == {"card": "-7.50", "cash": "12.00"}
    assert (q["first_sequence"], q["last_sequence"]) == (3, 4)
    assert_linked(chain(two_months, "closings"))


def test_a_year_closes_its_open_months_first_then_itself_chained_and_only_once(two_months, clock):
    new_year = at(2027, 1, 1, 1, 0)
    clock(new_year)
    closings.close_month(year=2026, month=10, now=new_year)

    run = closings.close_year(year=2026, now=new_year)

    entries = chain(two_months, "closings")
    assert_linked(entries)
    assert [(e.kind, e.period, e.total_gross, e.grand_total_perpetual) for e in entries] == [
        ("month", "2026-10", D("27.00"), D("27.00")),
        ("month", "2026-11", D("4.50"), D("31.50")),
        ("month", "2026-12", D("0.00"), D("31.50")),  # nothing sold: still closed, at the same grand total
        ("year", "2026", D("31.50"), D("31.50")),
    ]
    year = entries[-1]
    assert run.created == [year]
    assert year.payload["months"] == {e.period: e.hash for e in entries[:3]}
    assert (year.payload["sales_count"], year.payload["returns_count"]) == (3, 1)
    assert year.vat == {VAT20: {"net": "26.25", "vat": "5.25", "gross": "31.50"}}
    assert year.grand_total_perpetual_abs == D("46.50")

    again = closings.close_year(year=2026, now=new_year)

    assert (again.created, again.already_closed) == ([], [year])
    assert JournalEntry.objects.filter(journal="closings").count() == 4
    assert journal.verify_chains().ok


def test_a_period_not_over_cannot_be_closed(two_months):
    with pytest.raises(closings.PeriodNotOver):
        closings.close_month(year=2026, month=11, now=at(2026, 11, 30, 23, 59))
    with pytest.raises(closings.PeriodNotOver):
        closings.close_year(year=2026, now=at(2026, 12, 31, 12, 0))
    assert chain(two_months, "closings") == []


def test_the_command_closes_a_month_once(two_months, capsys):
    call_command("close_till_period", "--month", "2026-10")
    first = capsys.readouterr().out
    call_command("close_till_period", "--month", "2026-10")
    second = capsys.readouterr().out

    [entry] = chain(two_months, "closings")
    assert f"2026-10 aja-1: closing #1, net 27.00, grand total 27.00, hash {entry.hash[:12]}" in first
    assert "2026-10: 1 closing(s) written, 0 already closed." in first
    assert second.strip() == "2026-10: 0 closing(s) written, 1 already closed."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "A month is from 1 to 12."),
        (["--month", "nov"], "--month is YYYY-MM"),
        (["--year", "26"], "--year is YYYY"),
        (["--month", "2999-01"], "This period has not ended yet"),
    ],
)
def test_the_command_refuses_a_bad_period(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("close_till_period", *args)
    assert JournalEntry.objects.count() == 0


def test_the_beat_task_closes_last_month(two_months, clock):
    clock(at(2026, 12, 2, 3, 0))
    runs = closings.close_previous_periods(now=at(2026, 12, 2, 3, 0))

    assert [(r.period, len(r.created)) for r in runs] == [("2026-11", 1)]
