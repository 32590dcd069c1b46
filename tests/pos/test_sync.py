"""The offline queue syncing: idempotent by UUID, each sale alone, sold-out goods still recorded;
and, on PostgreSQL, real threads racing for the last unit and replaying one batch at once."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory import services as inventory
from inventory.models import StockLevel, StockMovement
from inventory.selectors import check_ledger
from orders.models import Order, OrderLine
from pos.models import CashMovement, PosSale, Register, SaleTender, StockDiscrepancy
from pos.services.sessions import open_register_session
from tests.concurrency import in_threads
from tests.core.api_helpers import api_client
from tests.factories import LocationFactory, ProductFactory, VariantFactory, cashier

D = Decimal
SYNC = "/api/v1/pos/sales/sync/"


def offline_sale(session, lines, tenders, minutes_ago=30):
    return {
        "uuid": str(uuid.uuid4()),
        "session": session.pk,
        "lines": [{"sku": sku, "quantity": q} for sku, q in lines],
        "tenders": [{"kind": k, "amount": a} for k, a in tenders],
        "offline": True,
        "sold_at": (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat(),
    }


def written():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        PosSale.objects.count(),
        SaleTender.objects.count(),
        CashMovement.objects.count(),
        StockMovement.objects.count(),
        StockDiscrepancy.objects.count(),
    )


@pytest.mark.django_db
def test_a_batch_replayed_three_times_gives_one_set_of_sales_and_ledger_rows(
    store, session, cashier_user, tshirt, mug
):
    batch = [
        offline_sale(session, [("TSHIRT-M-RED", 1)], [("cash", "20.00")], 40),
        offline_sale(session, [("MUG-1", 2), ("TSHIRT-M-RED", 1)], [("card", "27.00")], 30),
        offline_sale(session, [("MUG-1", 1)], [("card", "5.00"), ("cash", "5.00")], 20),
    ]
    client = api_client(cashier_user)

    first = client.post(SYNC, {"sales": batch}, format="json")
    assert first.status_code == 200
    results = first.json()["results"]
    assert [r["status"] for r in results] == ["created"] * 3
    assert [r["uuid"] for r in results] == [s["uuid"] for s in batch]
    numbers = [r["number"] for r in results]
    after_first = written()
    ledger = list(StockMovement.objects.order_by("id").values_list("variant__sku", "quantity", "reference"))

    for _ in range(2):
        again = client.post(SYNC, {"sales": batch}, format="json").json()["results"]
        assert [(r["status"], r["number"], r["error"]) for r in again] == [
            ("duplicate", n, None) for n in numbers
        ]

    assert written() == after_first
    assert (
        list(StockMovement.objects.order_by("id").values_list("variant__sku", "quantity", "reference"))
        == ledger
    )
    assert after_first == (3, 4, 3, 4, 1 + 4, 2 + 4, 0)  # float + (cash, card, card, cash) movements
    assert StockLevel.objects.get(variant=tshirt, location=store).on_hand == 3
    assert StockLevel.objects.get(variant=mug, location=store).on_hand == 0
    assert PosSale.objects.filter(was_offline=True).count() == 3
    assert check_ledger().ok


@pytest.mark.django_db
def test_one_bad_sale_does_not_stop_the_others(session, cashier_user, tshirt):
    good = offline_sale(session, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])
    short = offline_sale(session, [("TSHIRT-M-RED", 1)], [("cash", "11.99")])
    unknown = offline_sale(session, [("NOPE", 1)], [("cash", "12.00")])
    garbled = {"uuid": "x", "lines": "y"}
    response = api_client(cashier_user).post(SYNC, {"sales": [short, good, unknown, garbled]}, format="json")
    results = response.json()["results"]
    assert [(r["status"], (r["error"] or {}).get("code")) for r in results] == [
        ("error", "tenders_insufficient"),
        ("created", None),
        ("error", "unknown_sku"),
        ("error", "invalid"),
    ]
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_sold_out_goods_sync_with_a_discrepancy_and_stock_never_negative(store, session, cashier_user, mug):
    batch = [
        offline_sale(session, [("MUG-1", 2)], [("cash", "15.00")]),
        offline_sale(session, [("MUG-1", 2)], [("cash", "15.00")]),  # only 1 left
    ]
    results = api_client(cashier_user).post(SYNC, {"sales": batch}, format="json").json()["results"]
    assert [r["status"] for r in results] == ["created", "created"]
    assert list(StockDiscrepancy.objects.values_list("variant__sku", "quantity", "order__number")) == [
        ("MUG-1", 1, results[1]["number"])
    ]
    assert StockLevel.objects.get(variant=mug, location=store).on_hand == 0


@pytest.mark.django_db
def test_sync_of_another_stores_session_is_an_error_per_sale(session, other_cashier, tshirt):
    batch = [offline_sale(session, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])]
    results = api_client(other_cashier).post(SYNC, {"sales": batch}, format="json").json()["results"]
    assert [(r["status"], r["error"]["code"]) for r in results] == [("error", "not_found")]
    assert not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"sales": []}, {"sales": "x"}])
def test_sync_bad_body_is_400(cashier_user, body):
    assert api_client(cashier_user).post(SYNC, body, format="json").status_code == 400


# --- PostgreSQL: real threads ------------------------------------------------------------------------


@pytest.fixture
def two_registers_and_one_unit(db):
    store = LocationFactory(code="AJA", name="Ajaccio")
    variant = VariantFactory(sku="LAST-1", product=ProductFactory(base_price_ht=D("10")))
    inventory.receive_stock(variant=variant, location=store, quantity=1, reference="PO-1")
    sessions = []
    for n in (1, 2):
        register = Register.objects.create(store=store, code=f"aja-{n}", name=f"Ajaccio {n}")
        user = cashier(store, email=f"c{n}@aja.example")
        sessions.append((open_register_session(register=register, user=user, opening_float=D("0")), user))
    return store, variant, sessions


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_registers_sell_the_last_unit_at_once(two_registers_and_one_unit):
    store, variant, sessions = two_registers_and_one_unit
    clients = [api_client(user) for _, user in sessions]

    def sell(i):
        session = sessions[i][0]
        body = {
            "uuid": str(uuid.uuid4()),
            "session": session.pk,
            "lines": [{"sku": "LAST-1", "quantity": 1}],
            "tenders": [{"kind": "cash", "amount": "12.00"}],
        }
        response = clients[i].post(
            "/api/v1/pos/sales/", body, format="json", HTTP_IDEMPOTENCY_KEY=body["uuid"]
        )
        return response.status_code, response.json()

    results = in_threads(2, sell)

    assert sorted(status for status, _ in results) == [201, 409]
    assert [body["code"] for status, body in results if status == 409] == ["insufficient_stock"]
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(variant=variant, location=store).on_hand == 0
    assert CashMovement.objects.filter(kind="sale").count() == 1
    assert check_ledger().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_batch_synced_by_two_tabs_at_once_is_recorded_once(two_registers_and_one_unit):
    store, variant, sessions = two_registers_and_one_unit
    session, user = sessions[0]
    inventory.receive_stock(variant=variant, location=store, quantity=9, reference="PO-2")
    batch = [offline_sale(session, [("LAST-1", 1)], [("cash", "12.00")], m) for m in range(5)]
    clients = [api_client(user), api_client(user)]

    def sync(i):
        response = clients[i].post(SYNC, {"sales": batch}, format="json")
        return [r["status"] for r in response.json()["results"]]

    results = in_threads(2, sync)

    assert sorted(results[0] + results[1]) == ["created"] * 5 + ["duplicate"] * 5
    assert Order.objects.count() == 5
    assert StockLevel.objects.get(variant=variant, location=store).on_hand == 5
    assert StockMovement.objects.filter(reason="sale").count() == 5
    assert check_ledger().ok
