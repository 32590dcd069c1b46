"""Returns at the register: stock back or damaged, refunds to the original tender or store credit,
never more than sold minus already returned (services, API, and a race on PostgreSQL)."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from core.errors import NotFound
from inventory.models import StockMovement
from orders import services as orders
from orders.models import DeliveryMethod, OrderStatus
from orders.services import LineInput
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from pos.errors import NotEnoughCash
from pos.models import (
    CashMovement,
    DamagedGoods,
    RegisterSession,
    Return,
    ReturnLine,
    StoreCredit,
    StoreCreditMovement,
)
from pos.services import returns
from pos.services.returns import ReturnLineInput as L
from pos.services.sessions import open_register_session
from tests.concurrency import in_threads
from tests.core.api_helpers import api_client
from tests.factories import UserFactory, cashier, staff
from tests.pos.returns_support import *  # noqa: F403
from tests.pos.returns_support import D, ledger, level, sale, snapshot

pytestmark = pytest.mark.django_db

URL = "/api/v1/pos/returns/"


def refunds_of(result):
    return [(r.tender, r.amount, r.reference) for r in result.refunds]


def movements(session, kind="refund"):
    return list(
        CashMovement.objects.filter(session=session, kind=kind).values_list("tender", "amount", "reference")
    )


# --- services -------------------------------------------------------------------------------------


def test_a_resellable_cash_return_goes_back_on_the_shelf_and_out_of_the_drawer(pos):
    order = sale(pos, [(pos.tee, 3, "37.50")], [("cash", "50.00", "12.50", "")])
    assert level(pos.tee, pos.aja) == (7, 0)

    result = returns.create_return(
        session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("TEE", 1)]
    )

    ret = result.ret
    assert ret.number.startswith("R") and ret.number.endswith("-000001")
    assert (ret.order, ret.location, ret.session, ret.user, ret.refund_method, ret.total_gross) == (
        order,
        pos.aja,
        pos.session,
        pos.anna,
        "original",
        D("12.50"),
    )
    assert [(x.order_line.sku, x.quantity, x.condition, x.refund_gross) for x in result.lines] == [
        ("TEE", 1, "resellable", D("12.50"))
    ]
    assert refunds_of(result) == [("cash", D("12.50"), "")]
    assert movements(pos.session) == [("cash", D("-12.50"), ret.number)]
    assert level(pos.tee, pos.aja) == (8, 0) == ledger(pos.tee, pos.aja)
    row = StockMovement.objects.filter(reason="return").get()
    assert (row.quantity, row.reference, row.user, row.location) == (1, ret.number, pos.anna, pos.aja)
    assert DamagedGoods.objects.count() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED  # two tees are still the customer's


def test_damaged_units_are_recorded_and_never_put_back_in_stock(pos):
    order = sale(pos, [(pos.tee, 2, "25.00")], [("card", "25.00", "0", "AUTH-1")])
    before = StockMovement.objects.count()

    result = returns.create_return(
        session=pos.session,
        user=pos.anna,
        sale_number=order.number,
        lines=[L("TEE", 1, "damaged")],
        refund_reference="TERM-R-9",
    )

    damaged = DamagedGoods.objects.get()
    assert (damaged.variant, damaged.location, damaged.quantity, damaged.recorded_by) == (
        pos.tee,
        pos.aja,
        1,
        pos.anna,
    )
    assert damaged.return_line == result.lines[0]
    assert StockMovement.objects.count() == before
    assert level(pos.tee, pos.aja) == (8, 0)
    assert refunds_of(result) == [("card", D("12.50"), "TERM-R-9")]
    assert movements(pos.session) == [("card", D("-12.50"), f"{result.ret.number} TERM-R-9")]


def test_a_line_split_between_resellable_and_damaged(pos):
    order = sale(pos, [(pos.tee, 3, "37.50")], [("cash", "37.50", "0", "")])

    result = returns.create_return(
        session=pos.session,
        user=pos.anna,
        sale_number=order.number,
        lines=[L("TEE", 2, "resellable"), L("TEE", 1, "damaged")],
    )

    assert [(x.quantity, x.condition, x.refund_gross) for x in result.lines] == [
        (2, "resellable", D("25.00")),
        (1, "damaged", D("12.50")),
    ]
    assert level(pos.tee, pos.aja) == (9, 0)
    assert DamagedGoods.objects.get().quantity == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED  # every unit came back


def test_refunds_of_a_line_add_up_to_exactly_what_it_cost(pos):
    order = sale(pos, [(pos.mug, 3, "10.00")], [("cash", "10.00", "0", "")])

    amounts = [
        returns.create_return(
            session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("MUG", 1)]
        ).ret.total_gross
        for _ in range(3)
    ]

    assert amounts == [D("3.33"), D("3.34"), D("3.33")]
    assert sum(amounts) == D("10.00")
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


@pytest.mark.parametrize("quantity", [4, 100])
def test_more_than_sold_is_refused_and_nothing_changes(pos, quantity):
    order = sale(pos, [(pos.tee, 3, "37.50")], [("cash", "37.50", "0", "")])
    before = snapshot()

    with pytest.raises(returns.ReturnExceedsSold) as caught:
        returns.create_return(
            session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("TEE", quantity)]
        )

    assert caught.value.detail == {
        "sku": "TEE",
        "sold": 3,
        "returned": 0,
        "requested": quantity,
        "returnable": 3,
    }
    assert snapshot() == before


def test_sold_minus_already_returned_is_the_limit(pos):
    order = sale(pos, [(pos.tee, 3, "37.50")], [("cash", "37.50", "0", "")])
    returns.create_return(session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("TEE", 2)])
    before = snapshot()

    with pytest.raises(returns.ReturnExceedsSold) as caught:
        returns.create_return(
            session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("TEE", 2)]
        )
    # the same SKU twice in one return counts both lines
    with pytest.raises(returns.ReturnExceedsSold):
        returns.create_return(
            session=pos.session,
            user=pos.anna,
            sale_number=order.number,
            lines=[L("TEE", 1), L("TEE", 1, "damaged")],
        )

    assert caught.value.detail == {"sku": "TEE", "sold": 3, "returned": 2, "requested": 2, "returnable": 1}
    assert snapshot() == before


def test_split_tender_refund_goes_to_the_card_first_then_the_cash(pos):
    # 50.00: 30.00 on the card, 50.00 cash tendered with 30.00 change (20.00 cash kept)
    order = sale(
        pos, [(pos.tee, 4, "50.00")], [("card", "30.00", "0", "AUTH-7"), ("cash", "50.00", "30.00", "")]
    )

    first = returns.create_return(
        session=pos.session,
        user=pos.anna,
        sale_number=order.number,
        lines=[L("TEE", 3)],
        refund_reference="RF-1",
    )
    second = returns.create_return(
        session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("TEE", 1)]
    )

    assert refunds_of(first) == [("card", D("30.00"), "RF-1"), ("cash", D("7.50"), "")]
    assert refunds_of(second) == [("cash", D("12.50"), "")]
    assert movements(pos.session) == [
        ("card", D("-30.00"), f"{first.ret.number} RF-1"),
        ("cash", D("-7.50"), first.ret.number),
        ("cash", D("-12.50"), second.ret.number),
    ]


def test_refund_as_store_credit_for_the_customer(pos):
    customer = UserFactory()
    order = sale(pos, [(pos.tee, 2, "25.00")], [("cash", "25.00", "0", "")], customer=customer)

    result = returns.create_return(
        session=pos.session,
        user=pos.anna,
        sale_number=order.number,
        lines=[L("TEE", 2)],
        refund="store_credit",
    )

    credit = StoreCredit.objects.get()
    assert result.store_credit == credit
    assert (credit.customer, credit.initial_amount, credit.balance, credit.currency, credit.issued_by) == (
        customer,
        D("25.00"),
        D("25.00"),
        "EUR",
        pos.anna,
    )
    assert credit.code.startswith("SC-") and len(credit.code) == 17
    assert credit.source_return == result.ret
    assert refunds_of(result) == [("store_credit", D("25.00"), credit.code)]
    assert list(StoreCreditMovement.objects.values_list("amount", "reference")) == [
        (D("25.00"), result.ret.number)
    ]
    assert movements(pos.session) == []  # nothing left the drawer


def test_a_sale_paid_with_store_credit_is_refunded_as_new_store_credit(pos):
    order = sale(pos, [(pos.mug, 1, "6.00")], [("store_credit", "6.00", "0", "SC-OLD")])

    result = returns.create_return(
        session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("MUG", 1)]
    )

    credit = StoreCredit.objects.get()
    assert refunds_of(result) == [("store_credit", D("6.00"), credit.code)]
    assert movements(pos.session) == []


def test_store_credit_is_spent_once(pos):
    credit = returns.issue_store_credit(amount=D("20.00"), user=pos.anna)

    returns.redeem_store_credit(code=credit.code.lower(), amount=D("15.00"), reference="S1", user=pos.anna)
    with pytest.raises(returns.StoreCreditInsufficient) as caught:
        returns.redeem_store_credit(code=credit.code, amount=D("5.01"), reference="S2", user=pos.anna)
    with pytest.raises(returns.StoreCreditNotFound):
        returns.redeem_store_credit(code="SC-NOPE", amount=D("1.00"), reference="S3", user=pos.anna)

    credit.refresh_from_db()
    assert credit.balance == D("5.00")
    assert caught.value.detail == {"code": credit.code, "balance": "5.00", "requested": "5.01"}
    assert sum(credit.movements.values_list("amount", flat=True)) == credit.balance


def test_a_closed_session_cannot_refund(pos):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    RegisterSession.objects.filter(pk=pos.session.pk).update(status="closed")
    before = snapshot()

    with pytest.raises(returns.RegisterNotOpen):
        returns.create_return(
            session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("TEE", 1)]
        )
    assert snapshot() == before


def test_another_stores_session_and_sale_are_not_found(pos):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    before = snapshot()

    with pytest.raises(NotFound):  # Anna at Bastia's register
        returns.create_return(
            session=pos.session_bas, user=pos.anna, sale_number=order.number, lines=[L("TEE", 1)]
        )
    with pytest.raises(returns.SaleProofRequired):  # Bruno returning an Ajaccio sale at Bastia
        returns.create_return(
            session=pos.session_bas, user=pos.bruno, sale_number=order.number, lines=[L("TEE", 1)]
        )
    with pytest.raises(returns.SaleNotFound):  # ... even with a contact: till sales go back where sold
        returns.create_return(
            session=pos.session_bas,
            user=pos.bruno,
            sale_number=order.number,
            lines=[L("TEE", 1)],
            contact="x@example.com",
        )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([], returns.InvalidReturn),
        ([L("SOCK", 1)], returns.NotOnOrder),
        ([L("TEE", 0)], returns.InvalidReturn),
        ([L("TEE", 1, "broken")], returns.InvalidReturn),
    ],
)
def test_bad_lines_are_refused_and_nothing_changes(pos, lines, error):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    before = snapshot()

    with pytest.raises(error):
        returns.create_return(session=pos.session, user=pos.anna, sale_number=order.number, lines=lines)
    assert snapshot() == before


def test_the_receipt_barcode_text_finds_the_sale(pos):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])

    found = returns.find_returnable_order(number=f"  {order.number.lower()} ", store=pos.aja)

    assert found == order


# --- web orders -----------------------------------------------------------------------------------


def web_order(pos, *, tees=2, mugs=1, captured=True):
    customer = UserFactory()
    lines = [LineInput(pos.tee, tees)] + ([LineInput(pos.mug, mugs)] if mugs else [])
    order = orders.place_web_order(
        lines=lines,
        location=pos.aja,
        delivery_method=DeliveryMethod.HOME,
        email=customer.email,
        customer=customer,
        shipping_gross=D("4.90"),
    )
    if captured:
        Payment.objects.create(
            order=order,
            provider="test",
            status=PaymentStatus.CAPTURED,
            amount=order.total_gross,
            currency="EUR",
            amount_eur=order.total_gross_eur,
            return_url="/r",
            cancel_url="/c",
        )
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED):
        order = orders.transition_order(order=order, to_status=status)
    return order


def test_a_web_order_returned_whole_is_refunded_online(pos, eager_celery, django_capture_on_commit_callbacks):
    # The refund is asked of the provider after commit by an outbox task (eager here).
    order = web_order(pos)
    assert order.total_gross == D("35.90")  # 2 x 12.50 + 6.00 + 4.90 shipping

    with django_capture_on_commit_callbacks(execute=True):
        result = returns.create_return(
            session=pos.session,
            user=pos.anna,
            sale_number=order.number,
            lines=[L("TEE", 2), L("MUG", 1, "damaged")],
            contact=order.email,
        )

    refund = Refund.objects.get()
    assert (refund.amount, refund.status) == (D("35.90"), RefundStatus.SUCCEEDED)
    assert refunds_of(result) == [("online", D("35.90"), str(refund.pk))]
    assert result.ret.total_gross == D("35.90")
    assert movements(pos.session) == []
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert level(pos.tee, pos.aja) == (10, 0)  # sold online from Ajaccio, back on the Ajaccio shelf


def test_a_partial_web_return_is_refunded_online_in_part(
    pos, eager_celery, django_capture_on_commit_callbacks
):
    # Partial online refunds (orders.services.refund_order_part): the drawer no longer pays for them.
    order = web_order(pos)

    with django_capture_on_commit_callbacks(execute=True):
        result = returns.create_return(
            session=pos.session,
            user=pos.anna,
            sale_number=order.number,
            lines=[L("TEE", 1)],
            contact=order.email,
        )

    refund = Refund.objects.get()
    assert (refund.amount, refund.status) == (D("12.50"), RefundStatus.SUCCEEDED)
    assert refunds_of(result) == [("online", D("12.50"), str(refund.pk))]
    assert result.notes == [] and movements(pos.session) == []
    assert Payment.objects.get().status == PaymentStatus.CAPTURED
    tee = order.lines.get(sku="TEE")
    assert (tee.quantity_returned, tee.quantity_refunded, tee.refunded_gross) == (1, 1, D("12.50"))
    order.refresh_from_db()
    assert (order.status, order.refunded_gross) == (OrderStatus.COMPLETED, D("12.50"))

    with django_capture_on_commit_callbacks(execute=True):
        rest = returns.create_return(
            session=pos.session,
            user=pos.anna,
            sale_number=order.number,
            lines=[L("TEE", 1), L("MUG", 1)],
            contact=order.email,
        )

    assert refunds_of(rest)[0][:2] == (
        "online",
        D("18.50"),
    )  # the shipping stays: it did not come back at once
    order.refresh_from_db()
    assert (order.status, order.refunded_gross) == (OrderStatus.REFUNDED, D("31.00"))
    assert sorted(Refund.objects.values_list("amount", flat=True)) == [D("12.50"), D("18.50")]


def test_a_web_order_from_another_store_can_be_returned_here(pos):
    order = web_order(pos, captured=False)

    result = returns.create_return(
        session=pos.session_bas,
        user=pos.bruno,
        sale_number=order.number,
        lines=[L("MUG", 1)],
        contact=order.email,
    )

    assert result.ret.location == pos.bas
    assert level(pos.mug, pos.bas) == (1, 0)  # the mug stays where it came back
    assert result.notes == ["No online payment to refund: 6.00 EUR refunded in cash."]


def test_an_order_not_completed_cannot_be_returned(pos):
    customer = UserFactory()
    order = orders.place_web_order(
        lines=[LineInput(pos.tee, 1)],
        location=pos.aja,
        delivery_method=DeliveryMethod.HOME,
        email=customer.email,
        customer=customer,
    )
    before = snapshot()

    with pytest.raises(returns.NotReturnable) as caught:
        returns.create_return(
            session=pos.session,
            user=pos.anna,
            sale_number=order.number,
            lines=[L("TEE", 1)],
            contact=order.email,
        )
    assert caught.value.detail == {"sale": order.number, "status": "pending_payment"}
    assert snapshot() == before


# --- API ------------------------------------------------------------------------------------------


def body(order, session, **extra):
    return {"sale": order.number, "session": session.pk, "lines": [{"sku": "TEE", "quantity": 1}], **extra}


def test_api_return_201_with_the_refund(pos):
    order = sale(pos, [(pos.tee, 2, "25.00")], [("card", "25.00", "0", "AUTH-1")])

    response = api_client(pos.anna).post(
        URL,
        body(
            order,
            pos.session,
            lines=[{"sku": "TEE", "quantity": 2, "condition": "damaged"}],
            refund_reference="T-9",
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    number = Return.objects.get().number
    assert response.json() == {
        "number": number,
        "sale": order.number,
        "total": "25.00",
        "currency": "EUR",
        "refund_method": "original",
        "lines": [{"sku": "TEE", "name": "Tee", "quantity": 2, "condition": "damaged", "refund": "25.00"}],
        "refunds": [{"tender": "card", "amount": "25.00", "reference": "T-9"}],
        "store_credit": None,
        "notes": [],
    }


def test_api_store_credit_refund_and_idempotent_replay(pos):
    order = sale(pos, [(pos.tee, 2, "25.00")], [("cash", "25.00", "0", "")])
    client = api_client(pos.anna)
    headers = {"HTTP_IDEMPOTENCY_KEY": "ret-1"}

    first = client.post(URL, body(order, pos.session, refund="store_credit"), format="json", **headers)
    again = client.post(URL, body(order, pos.session, refund="store_credit"), format="json", **headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    credit = StoreCredit.objects.get()
    assert first.json()["store_credit"] == {"code": credit.code, "balance": "12.50", "currency": "EUR"}
    assert (Return.objects.count(), ReturnLine.objects.count()) == (1, 1)


def test_api_more_than_sold_is_409(pos):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    before = snapshot()

    response = api_client(pos.anna).post(
        URL, body(order, pos.session, lines=[{"sku": "TEE", "quantity": 2}]), format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "return_exceeds_sold"
    assert response.json()["message"] == "TEE: 1 sold, 0 already returned; 2 cannot come back."
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "TEE", "quantity": 0}]}, "lines"),
        ({"lines": [{"sku": "TEE", "quantity": "two"}]}, "lines"),
        ({"lines": [{"sku": "TEE", "quantity": 1, "condition": "meh"}]}, "lines"),
        ({"refund": "bitcoin"}, "refund"),
        ({"session": "x"}, "session"),
        ({"sale": ""}, "sale"),
    ],
)
def test_api_bad_input_is_400_and_nothing_changes(pos, change, field):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    before = snapshot()

    response = api_client(pos.anna).post(URL, {**body(order, pos.session), **change}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["detail"]
    assert response.json()["message"].startswith("The request is not valid.")
    assert snapshot() == before


def test_api_not_json_is_415(pos):
    response = api_client(pos.anna).post(URL, "sale=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_api_unknown_sale_and_other_stores_session_are_404(pos):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    client = api_client(pos.anna)

    unknown = client.post(URL, {**body(order, pos.session), "sale": "S1999-000001"}, format="json")
    other = client.post(URL, body(order, pos.session_bas), format="json")

    assert (unknown.status_code, unknown.json()["code"]) == (400, "sale_proof_required")
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    assert Return.objects.count() == 0


@pytest.mark.parametrize("who", ["anonymous", "shopper"])
def test_api_only_register_users(pos, who):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    client = api_client(None if who == "anonymous" else UserFactory())

    response = client.post(URL, body(order, pos.session), format="json")

    assert response.status_code == (401 if who == "anonymous" else 403)
    assert Return.objects.count() == 0


def test_api_lookup_shows_what_can_still_come_back(pos, django_assert_max_num_queries):
    order = sale(pos, [(pos.tee, 3, "37.50"), (pos.mug, 1, "6.00")], [("cash", "43.50", "0", "")])
    returns.create_return(session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("TEE", 1)])
    client = api_client(pos.anna)

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/pos/returns/lookup/", {"sale": order.number})

    assert response.status_code == 200
    data = response.json()
    assert (data["number"], data["channel"], data["status"], data["total"], data["returnable"]) == (
        order.number,
        "store",
        "completed",
        "43.50",
        True,
    )
    assert [
        (x["sku"], x["sold"], x["returned"], x["returnable"], x["total_gross"]) for x in data["lines"]
    ] == [
        ("TEE", 3, 1, 2, "37.50"),
        ("MUG", 1, 0, 1, "6.00"),
    ]
    other = api_client(pos.bruno).get("/api/v1/pos/returns/lookup/", {"sale": order.number})
    assert (other.status_code, other.json()["code"]) == (400, "sale_proof_required")


def test_api_staff_may_return_at_any_store(pos):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])

    response = api_client(staff()).post(URL, body(order, pos.session), format="json")

    assert response.status_code == 201


# --- the race -------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_registers_returning_the_last_unit_at_once_one_wins(pos):
    # the mug keeps the sale completed: the loser is refused for the quantity, not the status
    order = sale(pos, [(pos.tee, 2, "25.00"), (pos.mug, 1, "6.00")], [("cash", "31.00", "0", "")])
    returns.create_return(session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("TEE", 1)])
    reg2 = pos.register.__class__.objects.create(store=pos.aja, code="AJA-2", name="Caisse 2")
    carla = cashier(pos.aja)
    # both drawers hold enough cash for the refund: the loser is refused for the quantity, whichever wins
    session2 = open_register_session(register=reg2, user=carla, opening_float=D("50"))
    clients = [(api_client(pos.anna), pos.session), (api_client(carla), session2)]

    def run(i):
        client, session = clients[i]
        response = client.post(URL, body(order, session), format="json")
        return response.status_code, response.json().get("code")

    results = in_threads(2, run)

    assert sorted(results, key=lambda r: r[0]) == [(201, None), (409, "return_exceeds_sold")]
    assert ReturnLine.objects.aggregate(n=Sum("quantity"))["n"] == 2
    assert level(pos.tee, pos.aja) == (10, 0) == ledger(pos.tee, pos.aja)
    assert CashMovement.objects.filter(kind="refund").count() == 2
    assert Decimal(sum(CashMovement.objects.filter(kind="refund").values_list("amount", flat=True))) == D(
        "-25.00"
    )


def test_a_cash_refund_cannot_take_more_than_the_drawer_holds(pos):
    cash_sale = sale(pos, [(pos.mug, 10, "60.00")], [("cash", "60.00", "0", "")])
    # the drawer: 100.00 float + 60.00 sale - 150.00 taken to the bank = 10.00
    CashMovement.objects.create(
        session=pos.session, kind="cash_out", tender="cash", amount=D("-150.00"), user=pos.anna
    )
    before = snapshot()

    with pytest.raises(NotEnoughCash) as caught:
        returns.create_return(
            session=pos.session, user=pos.anna, sale_number=cash_sale.number, lines=[L("MUG", 2)]
        )

    assert caught.value.detail == {"in_drawer": "10.00", "amount": "12.00"}
    assert snapshot() == before


def test_a_lot_tracked_unit_goes_back_to_its_batch(pos):
    from inventory import services as inventory
    from inventory.models import StockLot
    from inventory.services import LotInput
    from tests.factories import VariantFactory

    honey = VariantFactory(sku="HONEY", product__name="Miel", product__tracks_lots=True)
    inventory.receive_stock(variant=honey, location=pos.aja, quantity=2, lot=LotInput("B-OLD", None))
    inventory.receive_stock(variant=honey, location=pos.aja, quantity=5, lot=LotInput("B-NEW", None))
    order = sale(pos, [(honey, 2, "20.00")], [("cash", "20.00", "0", "")])  # FEFO: the oldest batch first
    assert dict(StockLot.objects.filter(variant=honey).values_list("batch", "quantity")) == {
        "B-OLD": 0,
        "B-NEW": 5,
    }

    returns.create_return(session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("HONEY", 1)])

    assert dict(StockLot.objects.filter(variant=honey).values_list("batch", "quantity")) == {
        "B-OLD": 1,
        "B-NEW": 5,
    }
    assert level(honey, pos.aja) == (6, 0) == ledger(honey, pos.aja)
