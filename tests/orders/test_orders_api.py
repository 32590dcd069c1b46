"""Orders API v1 for customers: /api/v1/orders/ (the caller's own orders) and /api/v1/orders/<number>/."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from orders.models import Channel, DeliveryMethod, OrderStatus
from tests.accounts.portal_support import order, shopper
from tests.core.api_helpers import api_client
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
SNAPSHOT = {
    "first_name": "Ana",
    "last_name": "Rossi",
    "line1": "3 rue Fesch",
    "postal_code": "20000",
    "city": "Ajaccio",
    "country": "FR",
}


@pytest.fixture
def ana(db):
    return shopper(email="ana@example.com")


@pytest.fixture
def bo(db):
    return shopper(email="bo@example.com")


@pytest.fixture
def client(ana):
    return api_client(ana)


def test_list_returns_only_the_callers_orders_of_every_channel_newest_first(client, ana, bo):
    bastia = LocationFactory(code="BAS", name="Bastia")
    order(ana, "W2026-000001", days_ago=5, lines=[("TEE", 2, "25.00"), ("MUG", 1, "6.00")])
    order(
        ana,
        "S-BAS-000004",
        channel=Channel.STORE,
        status=OrderStatus.COMPLETED,
        location=bastia,
        days_ago=1,
        lines=[("HONEY", 3, "29.70")],
    )
    order(bo, "W2026-000002", days_ago=2)

    response = client.get(ORDERS)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "number": "S-BAS-000004",
                "channel": "store",
                "status": "completed",
                "delivery_method": "in_store",
                "location": {"code": "BAS", "name": "Bastia"},
                "currency": "EUR",
                "total_gross": "29.70",
                "item_count": 3,
                "created_at": "2026-02-28T10:30:00+01:00",
            },
            {
                "number": "W2026-000001",
                "channel": "web",
                "status": "paid",
                "delivery_method": "home",
                "location": {"code": "AJA", "name": "Ajaccio"},
                "currency": "EUR",
                "total_gross": "31.00",
                "item_count": 3,
                "created_at": "2026-02-24T10:30:00+01:00",
            },
        ],
    }


def test_list_is_paginated_with_limit_and_offset(client, ana):
    for n in range(1, 6):
        order(ana, f"W2026-{n:06d}", days_ago=10 - n)

    body = client.get(ORDERS, {"limit": 2, "offset": 2}).json()

    assert body["count"] == 5
    assert [row["number"] for row in body["results"]] == ["W2026-000003", "W2026-000002"]
    assert body["next"].endswith("/api/v1/orders/?limit=2&offset=4")


def test_list_query_count_is_constant(client, ana, django_assert_max_num_queries):
    order(ana, "W2026-000001")
    with CaptureQueriesContext(connection) as few:
        assert client.get(ORDERS).status_code == 200
    for n in range(2, 12):
        order(ana, f"W2026-{n:06d}", lines=[("A", 1, "1.00"), ("B", 2, "2.00")])

    # token + user, COUNT, the page
    with django_assert_max_num_queries(3) as many:
        client.get(ORDERS)

    assert len(many.captured_queries) == len(few)


def test_detail_has_lines_totals_delivery_and_status_trail(client, ana, django_assert_max_num_queries):
    order(
        ana,
        "W2026-000042",
        lines=[("TEE", 2, "25.00"), ("MUG", 1, "6.00")],
        phone="+33 6 12 34 56 78",
        shipping_address=SNAPSHOT,
        shipping_gross="4.90",
        discount_gross="1.00",
    )

    # token + user, order, lines, status trail
    with django_assert_max_num_queries(4):
        response = client.get(f"{ORDERS}W2026-000042/")

    assert response.status_code == 200
    assert response.json() == {
        "number": "W2026-000042",
        "channel": "web",
        "status": "paid",
        "delivery_method": "home",
        "location": {"code": "AJA", "name": "Ajaccio"},
        "currency": "EUR",
        "total_gross": "31.00",
        "item_count": 3,
        "created_at": "2026-03-01T10:30:00+01:00",
        "total_net": "25.83",
        "total_vat": "5.17",
        "total_gross_eur": "31.00",
        "shipping_gross": "4.90",
        "discount_gross": "1.00",
        "email": "ana@example.com",
        "phone": "+33 6 12 34 56 78",
        "shipping_address": SNAPSHOT,
        "lines": [
            {
                "sku": "TEE",
                "name": "Product TEE",
                "quantity": 2,
                "unit_price_net": "10.4150",
                "vat_rate": "0.2000",
                "discount_gross": "0.00",
                "total_gross": "25.00",
            },
            {
                "sku": "MUG",
                "name": "Product MUG",
                "quantity": 1,
                "unit_price_net": "5.0000",
                "vat_rate": "0.2000",
                "discount_gross": "0.00",
                "total_gross": "6.00",
            },
        ],
        "status_history": [
            {"from_status": "", "to_status": "pending_payment", "at": "2026-03-01T10:30:00+01:00"},
            {"from_status": "pending_payment", "to_status": "paid", "at": "2026-03-01T10:31:00+01:00"},
        ],
    }


def test_another_customers_order_is_a_404_in_the_common_error_format(client, bo):
    order(bo, "W2026-000077", delivery_method=DeliveryMethod.CLICK_AND_COLLECT)

    theirs = client.get(f"{ORDERS}W2026-000077/")
    unknown = client.get(f"{ORDERS}W2026-999999/")

    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == {
        "code": "not_found",
        "message": "No order W2026-000077 in your account.",
        "detail": {"number": "W2026-000077"},
    }
    assert unknown.json()["code"] == "not_found"


def test_session_authentication_works_too(ana):
    session_client = APIClient()
    session_client.force_login(ana)
    order(ana, "W2026-000001")

    response = session_client.get(ORDERS)

    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == ["W2026-000001"]


def test_anonymous_callers_get_401(ana):
    order(ana, "W2026-000001")

    listing = api_client().get(ORDERS)
    detail = api_client().get(f"{ORDERS}W2026-000001/")
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    assert listing.status_code == detail.status_code == 401
    assert listing.json()["code"] == "not_authenticated"
    assert bad_token.get(ORDERS).status_code == 401


def test_writes_are_not_allowed(client, ana):
    order(ana, "W2026-000001")

    response = client.post(ORDERS, {}, format="json")
    delete = client.delete(f"{ORDERS}W2026-000001/")

    assert response.status_code == delete.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_bad_pagination_parameters_are_a_400_as_the_schema_says(client, ana):
    # They used to fall back to the defaults silently: the schema forbids them (issue 8, finding 12).
    order(ana, "W2026-000001")

    response = client.get(ORDERS, {"limit": "abc", "offset": "-3"})

    assert response.status_code == 400
    assert (response.json()["code"], sorted(response.json()["detail"])) == ("invalid", ["limit"])


def test_the_orders_endpoints_are_documented(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--file", str(target))

    schema = target.read_text()
    assert "/api/v1/orders/:" in schema
    assert "/api/v1/orders/{number}/:" in schema
    assert "operationId: orders_list" in schema and "operationId: orders_retrieve" in schema
    assert "No order with this number in your account" in schema
