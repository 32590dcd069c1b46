"""API v1 of portal returns: the shopper's own list and requests, the till's detail by number, receiving
at the right store; every refusal a 4xx in the error format with nothing written."""

from __future__ import annotations

import pytest

from logistics.returns_models import ReturnRequest, ReturnRequestStatus
from orders.models import OrderStatus
from payments.models import Refund
from tests.core.api_helpers import api_client
from tests.factories import UserFactory, cashier, staff
from tests.logistics.returns_support import *  # noqa: F403
from tests.logistics.returns_support import D, age_delivery, delivered_order, on_hand, return_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/returns/"


def create(client, order, *lines, method="store", refund_choice="original", key=None):
    body = {
        "order": order.number,
        "lines": [{"line_id": pk, "quantity": q, "reason": "too_small"} for pk, q in lines],
        "method": method,
        "refund_choice": refund_choice,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, body, format="json", **headers)


def test_a_shopper_creates_a_return_and_lists_only_their_own(rshop):
    order = delivered_order(rshop)
    tee, mug = order.lines.order_by("id")
    other_shopper = UserFactory()
    other = delivered_order(rshop, tees=1, mugs=0, customer=other_shopper)
    create(api_client(other_shopper), other, (other.lines.get().pk, 1))
    client = api_client(rshop.shopper)
    response = create(client, order, (tee.pk, 2), (mug.pk, 1), key="rma-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["number"].startswith("RMA-") and body["status"] == "awaiting" and body["order"] == order.number
    )
    assert [(ln["sku"], ln["quantity"], ln["reason"]) for ln in body["lines"]] == [
        ("TEE", 2, "too_small"),
        ("MUG", 1, "too_small"),
    ]
    replay = create(client, order, (tee.pk, 2), (mug.pk, 1), key="rma-1")
    assert replay.status_code == 201 and replay.json()["number"] == body["number"]
    assert ReturnRequest.objects.filter(order=order).count() == 1
    listed = client.get(URL)
    assert listed.status_code == 200
    assert [row["number"] for row in listed.json()] == [body["number"]]
    assert len(api_client(staff()).get(URL).json()) == 2


def test_bad_requests_are_4xx_with_nothing_written(rshop):
    order = delivered_order(rshop, tees=2, mugs=0)
    tee = order.lines.get()
    client = api_client(rshop.shopper)
    stranger = delivered_order(rshop, tees=1, mugs=0, customer=UserFactory())
    cases = [
        (create(client, stranger, (stranger.lines.get().pk, 1)), 404, "return_order_not_found"),
        (
            client.post(
                URL,
                {
                    "order": "W-NOPE",
                    "lines": [{"line_id": 1, "quantity": 1, "reason": "other"}],
                    "method": "store",
                },
                format="json",
            ),
            404,
            "return_order_not_found",
        ),
        (create(client, order, (stranger.lines.get().pk, 1)), 400, "unknown_order_line"),
        (create(client, order, (tee.pk, 3)), 409, "return_exceeds_returnable"),
        (
            client.post(URL, {"order": order.number, "lines": [], "method": "store"}, format="json"),
            400,
            "invalid",
        ),
    ]
    age_delivery(order, 20)
    cases.append((create(client, order, (tee.pk, 1)), 409, "return_window_closed"))
    for response, status, code in cases:
        assert (response.status_code, response.json()["code"]) == (status, code), response.content
        assert set(response.json()) == {"code", "message", "detail"}
    assert ReturnRequest.objects.count() == 0
    assert api_client().get(URL).status_code == 401


def test_the_till_loads_an_rma_by_its_number_and_receives_it_at_its_store(rshop):
    order = delivered_order(rshop, tees=2, mugs=0)
    tee = order.lines.get()
    number = create(api_client(rshop.shopper), order, (tee.pk, 2)).json()["number"]
    till = api_client(cashier(rshop.aja))
    detail = till.get(f"{URL}{number.lower()}/")
    assert detail.status_code == 200 and detail.json()["number"] == number
    rma_id = detail.json()["id"]
    assert till.get(f"{URL}{rma_id}/").json()["number"] == number
    # another store's code: refused, nothing written
    wrong = till.post(
        f"{URL}{rma_id}/receive/",
        {"location": "BAS", "lines": [{"line_id": tee.pk, "resellable": 2, "damaged": 0}]},
        format="json",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (403, "wrong_store")
    assert ReturnRequest.objects.get().status == ReturnRequestStatus.AWAITING
    done = till.post(
        f"{URL}{number}/receive/",
        {"location": "AJA", "lines": [{"sku": "tee", "resellable": 1, "damaged": 1}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="receive-1",
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["refund_amount"], body["received_at_location"]) == (
        "refunded",
        "25.00",
        "AJA",
    )
    assert [(ln["resellable"], ln["damaged"], ln["refund"]) for ln in body["lines"]] == [(1, 1, "25.00")]
    assert on_hand(rshop.tee, rshop.aja) == 1
    assert return_rows(rshop.tee, rshop.aja) == [("return", 1, number)]
    assert [r.amount for r in Refund.objects.filter(payment__order=order)] == [D("25.00")]
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED  # every unit came back and was refunded
    again = till.post(
        f"{URL}{number}/receive/",
        {"location": "AJA", "lines": [{"line_id": tee.pk, "resellable": 2, "damaged": 0}]},
        format="json",
    )
    assert (again.status_code, again.json()["code"]) == (409, "return_already_received")
    assert on_hand(rshop.tee, rshop.aja) == 1 and Refund.objects.count() == 1


def test_a_shopper_cannot_receive_nor_see_anothers_return(rshop):
    order = delivered_order(rshop, tees=1, mugs=0)
    number = create(api_client(rshop.shopper), order, (order.lines.get().pk, 1)).json()["number"]
    stranger = api_client(UserFactory())
    assert stranger.get(f"{URL}{number}/").json()["code"] == "return_not_found"
    own = api_client(rshop.shopper).post(
        f"{URL}{number}/receive/",
        {"location": "WEB", "lines": [{"sku": "TEE", "resellable": 1}]},
        format="json",
    )
    assert (own.status_code, own.json()["code"]) == (403, "wrong_store")
    assert ReturnRequest.objects.get().status == ReturnRequestStatus.AWAITING
