"""``/api/v1/b2b/quotes/`` (issue 17): list, ask from the cart, detail, accept, decline; every bad
input answered with its 4xx and code, and nothing half-written; documented in the schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.models import Cart, Order, OrderStatus, Quote, QuoteStatus
from tests.core.api_helpers import api_client
from tests.orders.quotes_support import make_quote_shop, requested, sent

pytestmark = pytest.mark.django_db
URL = "/api/v1/b2b/quotes/"


@pytest.fixture
def shop():
    return make_quote_shop()


def test_a_buyer_asks_from_her_open_cart_and_reads_it_back(shop):
    client = api_client(shop.anna)
    response = client.post(URL, {"message": "By Friday"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "requested" and body["message"] == "By Friday" and body["order"] is None
    assert [(line["sku"], line["quantity"], line["list_unit_price"]) for line in body["lines"]] == [
        ("BOX", 12, "10.0000"),
        ("MUG", 10, "8.0000"),
    ]
    assert body["total_net"] == "200.00" and body["requested_by"] == "anna@example.com"

    listed = api_client(shop.bruno).get(URL)  # a colleague of the same company sees it
    assert [q["number"] for q in listed.json()] == [body["number"]]
    assert api_client(shop.carla).get(URL).json() == []  # another company's buyer does not
    detail = client.get(f"{URL}{body['number']}/")
    assert detail.status_code == 200 and detail.json()["number"] == body["number"]


def test_a_shopper_gets_403_and_an_empty_or_missing_cart_400(shop):
    assert api_client(shop.shopper).post(URL, {}, format="json").json()["code"] == "not_a_company_buyer"
    response = api_client(shop.bruno).post(URL, {}, format="json")  # Bruno has no cart
    assert (response.status_code, response.json()["code"]) == (400, "empty_cart")
    empty = Cart.objects.create(user=shop.bruno)
    response = api_client(shop.bruno).post(URL, {"cart": str(empty.token)}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "empty_cart")
    assert Quote.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [{"message": "x" * 2001}, {"message": ["x"]}, {"cart": "not-a-uuid"}, {"message": "bell\u0007"}],
)
def test_bad_input_is_a_400_and_writes_nothing(shop, body):
    response = api_client(shop.anna).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Quote.objects.count() == 0


def test_someone_else_s_cart_is_404(shop):
    response = api_client(shop.bruno).post(URL, {"cart": str(shop.cart.token)}, format="json")
    assert response.status_code == 404
    assert Quote.objects.count() == 0


def test_anonymous_callers_get_401(shop):
    assert api_client().get(URL).status_code == 401
    assert api_client().post(URL, {}, format="json").status_code == 401


def test_accept_places_the_order_and_a_second_accept_answers_the_same(shop):
    quote = sent(shop)
    body = {"delivery_method": "click_collect", "location": "AJA"}
    first = api_client(shop.anna).post(f"{URL}{quote.number}/accept/", body, format="json")
    assert first.status_code == 200, first.json()
    data = first.json()
    assert data["status"] == "accepted"
    assert data["order"]["status"] == OrderStatus.PAID  # Rossi pays on terms
    again = api_client(shop.dario).post(f"{URL}{quote.number}/accept/", body, format="json")
    assert again.status_code == 200 and again.json()["order"]["number"] == data["order"]["number"]
    order = Order.objects.get()
    assert order.total_gross == Decimal("204.00")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"delivery_method": "teleport"}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"delivery_method": "click_collect", "location": "NOPE"}, 404, "unknown_location"),
        ({"delivery_method": "home"}, 400, "invalid_address"),
        ({"delivery_method": "home", "shipping_address": {"line1": "1 rue"}}, 400, "invalid_address"),
    ],
)
def test_bad_accept_input_is_refused_and_nothing_is_ordered(shop, body, status, code):
    quote = sent(shop)
    response = api_client(shop.anna).post(f"{URL}{quote.number}/accept/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and Order.objects.count() == 0


def test_an_expired_quote_is_409_and_a_stock_shortage_409_with_the_lines(shop):
    from inventory import services as inventory

    late = sent(shop)
    Quote.objects.filter(pk=late.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    body = {"delivery_method": "click_collect", "location": "AJA"}
    response = api_client(shop.anna).post(f"{URL}{late.number}/accept/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "quote_expired")

    short = sent(shop)
    inventory.sell_stock(variant=shop.box, location=shop.aja, quantity=25, reference="S-1")
    response = api_client(shop.anna).post(f"{URL}{short.number}/accept/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "quote_stock_short")
    assert response.json()["detail"]["lines"] == [
        {"sku": "BOX", "name": "Box", "requested": 12, "available": 5}
    ]
    assert Order.objects.count() == 0


def test_another_company_gets_404_on_every_quote_operation(shop):
    quote = sent(shop)
    client = api_client(shop.carla)
    assert client.get(f"{URL}{quote.number}/").status_code == 404
    body = {"delivery_method": "click_collect", "location": "AJA"}
    response = client.post(f"{URL}{quote.number}/accept/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "quote_not_found")
    assert client.post(f"{URL}{quote.number}/decline/", {}, format="json").status_code == 404
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and Order.objects.count() == 0


def test_decline_then_accept_is_409(shop):
    quote = requested(shop)
    client = api_client(shop.anna)
    response = client.post(f"{URL}{quote.number}/decline/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    body = {"delivery_method": "click_collect", "location": "AJA"}
    response = client.post(f"{URL}{quote.number}/accept/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "quote_not_open")


def test_the_quotes_api_is_documented(tmp_path, capsys):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--file", str(target))
    schema = target.read_text()
    warnings = capsys.readouterr().err
    assert "orders/api/quotes.py" not in warnings and "orders.api.quotes" not in warnings
    for operation in ("b2b_quotes_list", "b2b_quotes_request", "b2b_quotes_detail", "b2b_quotes_accept"):
        assert f"operationId: {operation}" in schema
    assert "/api/v1/b2b/quotes/{number}/accept/:" in schema
