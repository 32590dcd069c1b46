"""A cashier finds a web order at the till only with a proof the customer holds (orders.proof): the
check-coded barcode of its confirmation, or its e-mail or phone. Without one: 400
``sale_proof_required``; a wrong one: the 404 of an unknown number. The answer holds what a return
needs, not the customer's e-mail, phone or address."""

import pytest

from orders.proof import proof_barcode_value, sale_proof, verify_sale_proof
from pos.models import CashMovement
from pos.returns_models import Return
from tests.core.api_helpers import api_client
from tests.pos.returns_support import *  # noqa: F403
from tests.pos.returns_support import sale, snapshot
from tests.pos.test_returns import web_order

pytestmark = pytest.mark.django_db

LOOKUP = "/api/v1/pos/returns/lookup/"


@pytest.fixture
def order(pos):
    order = web_order(pos)
    customer = order.customer
    customer.first_name, customer.last_name = "Marie", "Colonna"
    customer.save()
    order.email, order.phone = "Marie.Colonna@example.com", "+33 6 12 34 56 78"
    order.shipping_address = {"line1": "3 cours Napoléon", "city": "Ajaccio"}
    order.save()
    return order


def test_without_a_proof_a_web_order_is_not_shown(pos, order):
    before = snapshot()
    response = api_client(pos.bruno).get(LOOKUP, {"sale": order.number})
    assert response.status_code == 400
    assert response.json() == {
        "code": "sale_proof_required",
        "message": "Scan the barcode of the order confirmation, or type the customer's e-mail or phone, "
        "to find a web order or another store's sale.",
        "detail": {"sale": order.number},
    }
    # the same answer for a number that does not exist: no oracle
    unknown = api_client(pos.bruno).get(LOOKUP, {"sale": "W2099-999999"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "sale_proof_required")
    assert snapshot() == before


@pytest.mark.parametrize(
    "query",
    [
        {"contact": "someone.else@example.com"},
        {"contact": "06 99 99 99 99"},
        {"contact": "Colonna"},
        {"suffix": ".AAAAAAAA"},
    ],
)
def test_a_wrong_proof_answers_like_an_unknown_number(pos, order, query):
    params = {"sale": order.number + query.pop("suffix", ""), **query}
    response = api_client(pos.bruno).get(LOOKUP, params)
    assert response.status_code == 404
    assert response.json() == {
        "code": "sale_not_found",
        "message": f"No sale or order {order.number} can be returned at this store.",
        "detail": {"sale": order.number},
    }
    unknown = api_client(pos.bruno).get(
        LOOKUP, {**params, "sale": "W2099-999999" + params["sale"][len(order.number) :]}
    )
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "No sale or order W2099-999999 can be returned at this store."


@pytest.mark.parametrize(
    "query",
    [
        lambda o: {"sale": proof_barcode_value(o.number)},
        lambda o: {"sale": proof_barcode_value(o.number).lower()},
        lambda o: {"sale": o.number, "contact": "  marie.colonna@EXAMPLE.com "},
        lambda o: {"sale": o.number, "contact": "06.12.34.56.78"},
    ],
)
def test_with_a_proof_the_answer_holds_what_a_return_needs(pos, order, query):
    response = api_client(pos.bruno).get(LOOKUP, query(order))
    assert response.status_code == 200
    data = response.json()
    assert sorted(data) == [
        "channel",
        "created_at",
        "customer",
        "lines",
        "number",
        "returnable",
        "status",
        "total",
    ]
    assert (data["number"], data["channel"], data["customer"], data["returnable"]) == (
        order.number, "web", "Marie C.", True,
    )  # fmt: skip
    assert [(x["sku"], x["returnable"]) for x in data["lines"]] == [("TEE", 2), ("MUG", 1)]
    page = response.content.decode().lower()
    for secret in ("marie.colonna", "example.com", "12 34", "napol", "colonna"):
        assert secret not in page


def test_a_return_of_a_web_order_needs_the_proof_too(pos, order):
    body = {"sale": order.number, "session": pos.session_bas.pk, "lines": [{"sku": "MUG", "quantity": 1}]}
    client = api_client(pos.bruno)
    refused = client.post("/api/v1/pos/returns/", body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "sale_proof_required")
    wrong = client.post("/api/v1/pos/returns/", {**body, "contact": "x@example.com"}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (404, "sale_not_found")
    assert Return.objects.count() == 0 and CashMovement.objects.filter(kind="refund").count() == 0
    done = client.post("/api/v1/pos/returns/", {**body, "contact": order.email}, format="json")
    assert done.status_code == 201
    assert Return.objects.count() == 1


def test_own_store_till_sales_need_no_proof(pos):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    response = api_client(pos.anna).get(LOOKUP, {"sale": order.number})
    assert response.status_code == 200 and response.json()["customer"] is None


def test_the_check_code_depends_on_the_secret_key(settings, pos, order):
    code = sale_proof(order.number)
    assert len(code) == 8 and verify_sale_proof(order=order, check=code)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert sale_proof(order.number) != code
    assert not verify_sale_proof(order=order, check=code)
    assert not verify_sale_proof(order=order)
