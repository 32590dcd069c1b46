"""Register sessions: open with a float, cash in and out, close with a count and a Z report."""

from decimal import Decimal

import pytest

from pos.errors import (
    InvalidAmount,
    InvalidCashCount,
    NotAtThisStore,
    NotEnoughCash,
    RegisterInactive,
    SessionAlreadyOpen,
    SessionNotOpen,
)
from pos.models import CashMovement, RegisterSession
from pos.selectors import z_report
from pos.services.sessions import cash_in_out, close_register_session, open_register_session

pytestmark = pytest.mark.django_db
D = Decimal


def movements(session):
    return list(
        CashMovement.objects.filter(session=session).order_by("id").values_list("kind", "tender", "amount")
    )


def test_open_records_the_float(register, cashier_user):
    session = open_register_session(register=register, user=cashier_user, opening_float="150.50")

    assert session.status == "open"
    assert session.opening_float == D("150.50")
    assert session.opened_by == cashier_user
    assert movements(session) == [("opening_float", "cash", D("150.50"))]


def test_a_register_has_one_open_session(session, register, manager_user):
    with pytest.raises(SessionAlreadyOpen):
        open_register_session(register=register, user=manager_user, opening_float=D("10"))

    assert RegisterSession.objects.filter(register=register).count() == 1
    assert CashMovement.objects.count() == 1


def test_second_register_of_the_store_opens_alongside(session, register2, cashier_user):
    other = open_register_session(register=register2, user=cashier_user, opening_float=D("0"))
    assert other.status == "open"
    assert RegisterSession.objects.filter(status="open").count() == 2


def test_a_cashier_cannot_open_another_stores_register(other_register, cashier_user):
    with pytest.raises(NotAtThisStore):
        open_register_session(register=other_register, user=cashier_user, opening_float=D("10"))
    assert not RegisterSession.objects.exists()


def test_staff_can_open_any_register(other_register, hq_user):
    assert (
        open_register_session(register=other_register, user=hq_user, opening_float=D("10")).status == "open"
    )


def test_an_inactive_register_cannot_open(register, cashier_user):
    register.is_active = False
    register.save()
    with pytest.raises(RegisterInactive):
        open_register_session(register=register, user=cashier_user, opening_float=D("10"))
    assert not RegisterSession.objects.exists()


@pytest.mark.parametrize("bad", ["-1", "10.005", "abc", "NaN"])
def test_a_bad_float_is_refused(register, cashier_user, bad):
    with pytest.raises(InvalidAmount):
        open_register_session(register=register, user=cashier_user, opening_float=bad)
    assert not RegisterSession.objects.exists()


def test_cash_in_and_out_are_recorded_signed(session, cashier_user):
    cash_in_out(session=session, user=cashier_user, amount=D("50"), kind="cash_in", reason="change from bank")
    out = cash_in_out(
        session=session, user=cashier_user, amount=D("30.20"), kind="cash_out", reason="flowers"
    )

    assert out.amount == D("-30.20")
    assert out.reference == "flowers"
    assert movements(session) == [
        ("opening_float", "cash", D("100.00")),
        ("cash_in", "cash", D("50.00")),
        ("cash_out", "cash", D("-30.20")),
    ]


def test_cash_out_cannot_exceed_the_drawer(session, cashier_user):
    with pytest.raises(NotEnoughCash) as exc:
        cash_in_out(session=session, user=cashier_user, amount=D("100.01"), kind="cash_out", reason="bank")
    assert exc.value.detail == {"in_drawer": "100.00", "amount": "100.01"}
    assert CashMovement.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "kind", "reason"), [(D("0"), "cash_in", "x"), (D("5"), "sale", "x"), (D("5"), "cash_in", "  ")]
)
def test_bad_cash_movements_are_refused(session, cashier_user, amount, kind, reason):
    with pytest.raises(InvalidAmount):
        cash_in_out(session=session, user=cashier_user, amount=amount, kind=kind, reason=reason)
    assert CashMovement.objects.count() == 1


def test_another_stores_cashier_cannot_move_cash(session, other_cashier):
    with pytest.raises(NotAtThisStore):
        cash_in_out(session=session, user=other_cashier, amount=D("5"), kind="cash_in", reason="x")
    assert CashMovement.objects.count() == 1


def test_close_with_sales_gives_exact_z_report(session, cashier_user, tshirt, mug, sell):
    # given two T-shirts paid 50.00 cash (26.00 change), a mug by card, 10 in and 5 out
    sell(session, cashier_user, [("TSHIRT-M-RED", 2)], [("cash", "50.00")])
    sell(session, cashier_user, [("MUG-1", 1)], [("card", "7.50")])
    cash_in_out(session=session, user=cashier_user, amount=D("10"), kind="cash_in", reason="coins")
    cash_in_out(session=session, user=cashier_user, amount=D("5"), kind="cash_out", reason="stamps")

    # when the cashier counts 128.50 (expected 100 + 24 + 10 - 5 = 129.00) and the terminal says 7.50
    report = close_register_session(
        session=session,
        user=cashier_user,
        counts={"100": 1, "20.00": 1, "5": 1, "2": 1, "1": 1, "0.5": 1},
        card_total=D("7.50"),
    )

    # then
    tenders = {t.tender: (t.expected, t.counted, t.difference) for t in report.tenders}
    assert tenders == {
        "cash": (D("129.00"), D("128.50"), D("-0.50")),
        "card": (D("7.50"), D("7.50"), D("0.00")),
    }
    assert report.difference == D("-0.50")
    assert report.sales_count == 2
    assert report.sales_total == D("31.50")
    assert report.discounts_total == D("0.00")
    assert [(v.rate, v.net, v.vat, v.gross) for v in report.vat_breakdown] == [
        (D("0.2000"), D("26.25"), D("5.25"), D("31.50"))
    ]
    assert [(m.kind, m.amount) for m in report.movements] == [
        ("opening_float", D("100.00")),
        ("cash_in", D("10.00")),
        ("cash_out", D("-5.00")),
    ]
    session.refresh_from_db()
    assert session.status == "closed"
    assert session.closed_by == cashier_user
    assert session.counted_cash == {"100.00": 1, "20.00": 1, "5.00": 1, "2.00": 1, "1.00": 1, "0.50": 1}
    assert session.expected == {"cash": "129.00", "card": "7.50"}
    assert session.counted == {"cash": "128.50", "card": "7.50"}
    assert session.difference == D("-0.50")
    # the stored report reads back the same
    again = z_report(session)
    assert [(t.tender, t.expected, t.counted) for t in again.tenders] == [
        ("cash", D("129.00"), D("128.50")),
        ("card", D("7.50"), D("7.50")),
    ]
    assert again.is_final


def test_close_without_card_total_takes_the_expected_card(session, cashier_user, mug, sell):
    sell(session, cashier_user, [("MUG-1", 2)], [("card", "15.00")])
    report = close_register_session(session=session, user=cashier_user, counts={"50": 2})
    assert [(t.tender, t.difference) for t in report.tenders] == [("cash", D("0.00")), ("card", D("0.00"))]
    assert report.difference == D("0.00")


def test_close_twice_is_refused_and_changes_nothing(session, cashier_user, manager_user):
    close_register_session(session=session, user=cashier_user, counts={"50": 2})
    closed = RegisterSession.objects.get(pk=session.pk)

    with pytest.raises(SessionNotOpen):
        close_register_session(session=session, user=manager_user, counts={"50": 1})

    after = RegisterSession.objects.get(pk=session.pk)
    assert (after.closed_by, after.closed_at, after.counted_cash, after.difference) == (
        closed.closed_by,
        closed.closed_at,
        {"50.00": 2},
        D("0.00"),
    )


@pytest.mark.parametrize(
    "counts",
    [{"3": 1}, {"20": -1}, {"20": 1.5}, {"abc": 1}, ["20", 1]],
    ids=["denom", "neg", "frac", "text", "list"],
)
def test_a_bad_count_is_refused_and_the_session_stays_open(session, cashier_user, counts):
    with pytest.raises(InvalidCashCount):
        close_register_session(session=session, user=cashier_user, counts=counts)
    session.refresh_from_db()
    assert session.status == "open"
    assert session.counted_cash == {}


def test_cash_movements_on_a_closed_session_are_refused(session, cashier_user):
    close_register_session(session=session, user=cashier_user, counts={"100": 1})
    with pytest.raises(SessionNotOpen):
        cash_in_out(session=session, user=cashier_user, amount=D("5"), kind="cash_in", reason="x")
    assert CashMovement.objects.count() == 1


def test_x_report_while_open(session, cashier_user, tshirt, sell):
    sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])
    report = z_report(session)
    assert not report.is_final
    assert [(t.tender, t.expected, t.counted) for t in report.tenders] == [("cash", D("112.00"), D("112.00"))]
    assert report.sales_count == 1
