"""The POS API: every endpoint, the permission matrix, bad input, query-count pins."""

import uuid
from decimal import Decimal

import pytest

from inventory.models import StockLevel
from orders.models import Order
from pos.models import CashMovement, PosSale, RegisterSession
from tests.core.api_helpers import api_client
from tests.factories import ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/pos/"


def sale_body(session, **kwargs):
    body = {
        "uuid": str(uuid.uuid4()),
        "session": session.pk,
        "lines": [{"sku": "TSHIRT-M-RED", "quantity": 2}],
        "tenders": [
            {"kind": "card", "amount": "10.00", "reference": "A1"},
            {"kind": "cash", "amount": "20.00"},
        ],
    }
    return {**body, **kwargs}


def post_sale(client, body):
    return client.post(f"{API}sales/", body, format="json", HTTP_IDEMPOTENCY_KEY=body["uuid"])


# --- permission matrix -------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "registers/"),
    ("post", "sessions/"),
    ("get", "sessions/{s}/"),
    ("post", "sessions/{s}/cash/"),
    ("post", "sessions/{s}/close/"),
    ("post", "quote/"),
    ("post", "sales/"),
    ("post", "sales/sync/"),
    ("get", "catalog/"),
    ("post", "sales/S2026-000001/email/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_gets_401(session, method, path):
    response = getattr(api_client(), method)(API + path.format(s=session.pk), {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_shopper_gets_403(session, method, path):
    response = getattr(api_client(UserFactory()), method)(API + path.format(s=session.pk), {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "sessions/{s}/", None),
        ("post", "sessions/{s}/cash/", {"kind": "cash_in", "amount": "5", "reason": "x"}),
        ("post", "sessions/{s}/close/", {"counts": {"50": 2}}),
    ],
)
def test_another_stores_cashier_gets_404_on_a_session(session, other_cashier, method, path, body):
    response = getattr(api_client(other_cashier), method)(
        API + path.format(s=session.pk), body, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    session.refresh_from_db()
    assert session.status == "open"
    assert CashMovement.objects.count() == 1


def test_another_stores_cashier_cannot_open_or_sell_here(session, register, other_cashier, tshirt):
    client = api_client(other_cashier)
    opened = client.post(f"{API}sessions/", {"register": "aja-1", "opening_float": "10"}, format="json")
    sold = post_sale(client, sale_body(session))
    assert (opened.status_code, sold.status_code) == (404, 404)
    assert not Order.objects.exists()


def test_staff_act_on_any_store(session, hq_user, tshirt):
    response = post_sale(api_client(hq_user), sale_body(session))
    assert response.status_code == 201


# --- registers and sessions --------------------------------------------------------------------------


def test_registers_of_my_store_with_their_open_session(
    session, register, register2, other_register, cashier_user
):
    with_queries = api_client(cashier_user)
    response = with_queries.get(f"{API}registers/")
    assert response.status_code == 200
    assert [(r["code"], r["store"], r["open_session"]) for r in response.json()] == [
        ("aja-1", "AJA", session.pk),
        ("aja-2", "AJA", None),
    ]


def test_registers_query_count_is_pinned(
    register, register2, other_register, hq_user, django_assert_max_num_queries
):
    client = api_client(hq_user)
    with django_assert_max_num_queries(5):  # token+user, 2 permissions, registers, open sessions
        response = client.get(f"{API}registers/")
    assert [r["code"] for r in response.json()] == ["aja-1", "aja-2", "bas-1"]


def test_open_a_session(register, cashier_user):
    response = api_client(cashier_user).post(
        f"{API}sessions/", {"register": "aja-1", "opening_float": "120.00"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["register"], body["store"], body["status"], body["opening_float"]) == (
        "aja-1",
        "AJA",
        "open",
        "120.00",
    )
    assert body["expected"] == {"cash": "120.00"}
    assert body["z_report_url"] == f"/pos/sessions/{body['id']}/z/"


def test_open_twice_is_409(session, cashier_user):
    response = api_client(cashier_user).post(
        f"{API}sessions/", {"register": "aja-1", "opening_float": "1"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "session_already_open"
    assert RegisterSession.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"register": "aja-1"},
        {"register": "aja-1", "opening_float": "-1"},
        {"register": "aja-1", "opening_float": "x"},
    ],
)
def test_open_with_bad_input_is_400(register, cashier_user, body):
    response = api_client(cashier_user).post(f"{API}sessions/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not RegisterSession.objects.exists()


def test_open_an_unknown_register_is_404(cashier_user):
    response = api_client(cashier_user).post(
        f"{API}sessions/", {"register": "nope", "opening_float": "1"}, format="json"
    )
    assert response.status_code == 404


def test_session_detail(session, cashier_user, tshirt):
    post_sale(api_client(cashier_user), sale_body(session))
    body = api_client(cashier_user).get(f"{API}sessions/{session.pk}/").json()
    assert (body["status"], body["cash_in_drawer"], body["sales_count"]) == ("open", "114.00", 1)
    assert body["expected"] == {"cash": "114.00", "card": "10.00"}


def test_cash_in_and_out(session, cashier_user):
    client = api_client(cashier_user)
    moved = client.post(
        f"{API}sessions/{session.pk}/cash/",
        {"kind": "cash_out", "amount": "20.00", "reason": "bank"},
        format="json",
    )
    assert moved.status_code == 201
    assert (moved.json()["kind"], moved.json()["amount"], moved.json()["reference"]) == (
        "cash_out",
        "-20.00",
        "bank",
    )
    too_much = client.post(
        f"{API}sessions/{session.pk}/cash/",
        {"kind": "cash_out", "amount": "80.01", "reason": "x"},
        format="json",
    )
    assert (too_much.status_code, too_much.json()["code"]) == (409, "not_enough_cash")
    bad = client.post(
        f"{API}sessions/{session.pk}/cash/", {"kind": "sale", "amount": "1", "reason": "x"}, format="json"
    )
    assert bad.status_code == 400
    assert CashMovement.objects.count() == 2


def test_close_returns_the_z_report_and_refuses_a_second_close(session, cashier_user, tshirt):
    client = api_client(cashier_user)
    post_sale(client, sale_body(session))  # 24.00: card 10, cash 14 (20 tendered, 6 change)
    response = client.post(
        f"{API}sessions/{session.pk}/close/",
        {"counts": {"100": 1, "10": 1, "2": 2}, "card_total": "10.00"},
        format="json",
    )
    assert response.status_code == 200
    z = response.json()
    assert z["status"] == "closed"
    assert z["tenders"] == [
        {"tender": "cash", "expected": "114.00", "counted": "114.00", "difference": "0.00"},
        {"tender": "card", "expected": "10.00", "counted": "10.00", "difference": "0.00"},
    ]
    assert (z["difference"], z["sales_count"], z["sales_total"]) == ("0.00", 1, "24.00")
    assert z["vat_breakdown"] == [{"rate": "0.2000", "net": "20.00", "vat": "4.00", "gross": "24.00"}]
    assert z["counted_cash"] == {"100.00": 1, "10.00": 1, "2.00": 2}
    assert z["url"] == f"/pos/sessions/{session.pk}/z/"

    again = client.post(f"{API}sessions/{session.pk}/close/", {"counts": {"100": 1}}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "register_closed")
    session.refresh_from_db()
    assert session.counted_cash == {"100.00": 1, "10.00": 1, "2.00": 2}


@pytest.mark.parametrize("counts", [{"3": 1}, {"20": -1}, "lots"])
def test_close_with_a_bad_count_is_400(session, cashier_user, counts):
    response = api_client(cashier_user).post(
        f"{API}sessions/{session.pk}/close/", {"counts": counts}, format="json"
    )
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.status == "open"


# --- quote -------------------------------------------------------------------------------------------


def test_quote(store, cashier_user, tshirt, mug, django_assert_max_num_queries):
    client = api_client(cashier_user)
    body = {"lines": [{"sku": "TSHIRT-M-RED", "quantity": 2}, {"sku": "MUG-1", "quantity": 1}]}
    with django_assert_max_num_queries(7):
        response = client.post(f"{API}quote/", body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert [(ln["sku"], ln["unit_gross"], ln["total_gross"]) for ln in data["lines"]] == [
        ("TSHIRT-M-RED", "12.00", "24.00"),
        ("MUG-1", "7.50", "7.50"),
    ]
    assert data["totals"] == {
        "subtotal_gross": "31.50",
        "line_discounts": "0.00",
        "promotion_discount": "0.00",
        "promotion": "",
        "member_discount": "0.00",  # no customer: no member discount
        "member": "",
        "coupon_discount": "0.00",
        "total_gross": "31.50",
        "total_net": "26.25",
        "total_vat": "5.25",
    }


def test_quote_query_count_does_not_grow_with_lines(store, cashier_user, django_assert_max_num_queries):
    lines = []
    for n in range(20):
        VariantFactory(sku=f"Q-{n}", product=ProductFactory(base_price_ht=D("10")))
        lines.append({"sku": f"Q-{n}", "quantity": 1})
    client = api_client(cashier_user)
    with django_assert_max_num_queries(7):  # token+user, 2 permissions, store, variants, prices, promotions
        response = client.post(f"{API}quote/", {"lines": lines}, format="json")
    assert response.json()["totals"]["total_gross"] == "240.00"


def test_quote_discount_needs_the_permission(cashier_user, manager_user, tshirt):
    body = {
        "lines": [{"sku": "TSHIRT-M-RED", "quantity": 1, "discount": "2.00", "discount_reason": "scratch"}]
    }
    refused = api_client(cashier_user).post(f"{API}quote/", body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "discount_not_allowed")
    allowed = api_client(manager_user).post(f"{API}quote/", body, format="json")
    assert allowed.json()["totals"]["total_gross"] == "10.00"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"lines": []}, 400, "invalid"),
        ({"lines": [{"sku": "TSHIRT-M-RED", "quantity": 0}]}, 400, "invalid"),
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, 404, "unknown_sku"),
        (
            {"lines": [{"sku": "TSHIRT-M-RED", "quantity": 1, "discount": "12.01", "discount_reason": "x"}]},
            400,
            "invalid_discount",
        ),
        ({"lines": [{"sku": "TSHIRT-M-RED", "quantity": 1}], "coupon": "NOPE"}, 400, "invalid_coupon"),
        ({"lines": [{"sku": "TSHIRT-M-RED", "quantity": 1}], "customer": 999999}, 404, "unknown_customer"),
        ({"lines": [{"sku": "TSHIRT-M-RED", "quantity": 1}], "store": "BAS"}, 404, "not_found"),
    ],
)
def test_quote_bad_input(manager_user, other_store, tshirt, body, status, code):
    response = api_client(manager_user).post(f"{API}quote/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)


# --- sales -------------------------------------------------------------------------------------------


def test_sale_201_and_the_replay_returns_the_same_body(store, session, cashier_user, tshirt):
    client = api_client(cashier_user)
    body = sale_body(session)
    first = post_sale(client, body)
    assert first.status_code == 201
    data = first.json()
    number = data["number"]
    assert data == {
        "uuid": body["uuid"],
        "number": number,
        "totals": {
            "total_gross": "24.00",
            "total_net": "20.00",
            "total_vat": "4.00",
            "discount_gross": "0.00",
        },
        "change_due": "6.00",
        "receipt_url": f"/pos/receipt/{number}/",
        "discrepancies": [],
    }
    replay = post_sale(client, body)
    assert (replay.status_code, replay.json(), replay.headers["Idempotent-Replayed"]) == (201, data, "true")
    # the same sale without the header (another path of the register) is found by its uuid: 200
    again = client.post(f"{API}sales/", body, format="json")
    assert (again.status_code, again.json()) == (200, data)
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(variant=tshirt, location=store).on_hand == 3


def test_sale_key_must_be_the_uuid(session, cashier_user, tshirt):
    body = sale_body(session)
    response = api_client(cashier_user).post(
        f"{API}sales/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_sale_tenders_short_is_400_and_writes_nothing(store, session, cashier_user, tshirt):
    response = post_sale(
        api_client(cashier_user), sale_body(session, tenders=[{"kind": "cash", "amount": "23.99"}])
    )
    assert response.status_code == 400
    assert response.json()["code"] == "tenders_insufficient"
    assert response.json()["detail"] == {"total": "24.00", "paid": "23.99", "missing": "0.01"}
    assert (Order.objects.count(), PosSale.objects.count(), CashMovement.objects.count()) == (0, 0, 1)
    assert StockLevel.objects.get(variant=tshirt, location=store).on_hand == 5


def test_sale_beyond_stock_online_is_409(session, cashier_user, tshirt):
    body = sale_body(
        session, lines=[{"sku": "TSHIRT-M-RED", "quantity": 6}], tenders=[{"kind": "cash", "amount": "100"}]
    )
    response = post_sale(api_client(cashier_user), body)
    assert (response.status_code, response.json()["code"]) == (409, "insufficient_stock")
    assert not Order.objects.exists()


def test_sale_beyond_stock_offline_is_201_with_a_discrepancy(session, cashier_user, tshirt):
    body = sale_body(
        session,
        lines=[{"sku": "TSHIRT-M-RED", "quantity": 6}],
        tenders=[{"kind": "cash", "amount": "80"}],
        offline=True,
    )
    response = post_sale(api_client(cashier_user), body)
    assert response.status_code == 201
    assert response.json()["discrepancies"] == [{"sku": "TSHIRT-M-RED", "quantity": 1}]
    assert response.json()["change_due"] == "8.00"


def test_sale_on_a_closed_session_is_409(session, cashier_user, tshirt):
    client = api_client(cashier_user)
    client.post(f"{API}sessions/{session.pk}/close/", {"counts": {"100": 1}}, format="json")
    response = post_sale(client, sale_body(session))
    assert (response.status_code, response.json()["code"]) == (409, "register_closed")
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"uuid": "not-a-uuid"},
        {"lines": []},
        {"tenders": []},
        {"tenders": [{"kind": "cheque", "amount": "30"}]},
        {"lines": [{"sku": "TSHIRT-M-RED", "quantity": "two"}]},
        {"sold_at": "yesterday"},
    ],
)
def test_sale_bad_input_is_400(session, cashier_user, tshirt, change):
    body = {**sale_body(session), **change}
    response = api_client(cashier_user).post(f"{API}sales/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Order.objects.exists()


def test_sale_with_a_customer_and_a_manager_discount(session, manager_user, tshirt):
    shopper = UserFactory(email="anna@example.com")
    body = sale_body(
        session,
        customer=shopper.pk,
        lines=[{"sku": "TSHIRT-M-RED", "quantity": 1, "discount": "2.00", "discount_reason": "last one"}],
        tenders=[{"kind": "mobile", "amount": "10.00", "reference": "APPLEPAY-1"}],
    )
    response = post_sale(api_client(manager_user), body)
    assert response.status_code == 201
    order = Order.objects.get()
    assert (order.customer, order.total_gross, order.discount_gross) == (shopper, D("10.00"), D("2.00"))


# --- catalog -----------------------------------------------------------------------------------------


def test_catalog_for_offline_use(
    store, other_store, cashier_user, tshirt, mug, django_assert_max_num_queries
):
    import datetime as dt

    from django.utils import timezone

    from inventory import services as inventory
    from pricing.models import DiscountKind, Promotion

    inventory.receive_stock(variant=tshirt, location=other_store, quantity=2, reference="PO-2")
    now = timezone.now()
    Promotion.objects.create(
        name="Ajaccio 5 EUR", kind=DiscountKind.FIXED, value=D("5"), location=store,
        starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1),
    )  # fmt: skip
    client = api_client(cashier_user)
    # token+user, 2 permissions, store, variants, option names, option links, prices, stock, promotions
    with django_assert_max_num_queries(10):
        response = client.get(f"{API}catalog/")
    assert response.status_code == 200
    data = response.json()
    assert (data["store"], data["next_after"]) == ("AJA", None)
    by_sku = {item["sku"]: item for item in data["results"]}
    assert by_sku["TSHIRT-M-RED"] == {
        "sku": "TSHIRT-M-RED",
        "ean13": tshirt.ean13,
        "name": "T-shirt",
        "options": [],
        "price_gross": "12.00",
        "vat_rate": "0.2000",
        "available_here": 5,
        "available_elsewhere": {"BAS": 2},
    }
    assert by_sku["MUG-1"]["available_elsewhere"] == {}
    assert [(p["name"], p["kind"], p["value"], p["store_only"]) for p in data["promotions"]] == [
        ("Ajaccio 5 EUR", "fixed", "5.00", True)
    ]


def test_a_code_the_tablet_does_not_know_is_asked_of_the_server(store, cashier_user, tshirt, mug):
    client = api_client(cashier_user)
    for code in (tshirt.ean13, "tshirt-m-red", f" {tshirt.sku} "):
        response = client.get(f"{API}catalog/", {"code": code})
        assert response.status_code == 200, code
        assert [item["sku"] for item in response.json()["results"]] == ["TSHIRT-M-RED"], code
        assert response.json()["results"][0]["available_here"] == 5
    assert client.get(f"{API}catalog/", {"code": "3760000099999"}).json()["results"] == []
    type(mug).objects.filter(pk=mug.pk).update(is_active=False)  # not for sale: not found either
    assert client.get(f"{API}catalog/", {"code": mug.sku}).json()["results"] == []
    response = client.get(f"{API}catalog/", {"code": "x" * 65})
    assert response.status_code == 400 and "code" in response.json()["detail"]


def test_catalog_pages_with_a_constant_query_count(store, cashier_user, django_assert_max_num_queries):
    from catalog.models import OptionType, OptionValue

    size = OptionType.objects.create(code="size", name="Size")
    small = OptionValue.objects.create(option_type=size, code="s", name="S")
    for n in range(30):
        VariantFactory(sku=f"C-{n:02d}").option_values.add(small)
    client = api_client(cashier_user)
    with django_assert_max_num_queries(10):
        first = client.get(f"{API}catalog/?limit=20").json()
    second = client.get(f"{API}catalog/?limit=20&after={first['next_after']}").json()
    assert len(first["results"]) == 20
    assert second["next_after"] is None
    assert [i["sku"] for i in first["results"] + second["results"]] == [f"C-{n:02d}" for n in range(30)]
    assert {tuple(i["options"]) for i in first["results"] + second["results"]} == {("S",)}


def test_catalog_bad_paging_is_400(cashier_user):
    response = api_client(cashier_user).get(f"{API}catalog/?limit=0")
    assert response.status_code == 400


def test_catalog_of_another_store_is_404_for_a_cashier_and_open_to_staff(other_store, cashier_user, hq_user):
    assert api_client(cashier_user).get(f"{API}catalog/?store=BAS").status_code == 404
    assert api_client(hq_user).get(f"{API}catalog/?store=BAS").json()["store"] == "BAS"


def test_openapi_documents_the_pos_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ["/api/v1/pos/sales/", "/api/v1/pos/sales/sync/", "/api/v1/pos/sessions/{session_id}/close/"]:
        assert path in text
