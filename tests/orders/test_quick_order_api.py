"""POST /api/v1/b2b/quick-order/ (issue 17): 201 with the cart, 422 with the rows to fix and the cart
unchanged, 401 for anonymous callers, a replayed Idempotency-Key adds nothing twice, documented."""

import pytest
from django.core.management import call_command

from orders.models import Cart
from tests.core.api_helpers import api_client
from tests.orders.quick_order_support import EAN_MUG, lines_of, make_b2b_shop

pytestmark = pytest.mark.django_db
URL = "/api/v1/b2b/quick-order/"


@pytest.fixture
def shop():
    return make_b2b_shop()


def test_a_buyer_adds_every_line_and_gets_the_cart(shop):
    client = api_client(shop.anna)
    body = {
        "lines": [
            {"sku": "BOX", "quantity": 12},
            {"sku": EAN_MUG, "quantity": 2},
            {"sku": "MUG", "quantity": 1},
        ]
    }
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [(line["sku"], line["quantity"]) for line in data["lines"]] == [("BOX", 12), ("MUG", 3)]
    assert sorted(lines_of(Cart.objects.get(user=shop.anna))) == [("BOX", 12), ("MUG", 3)]


def test_a_bad_row_is_a_422_with_the_report_and_the_cart_is_unchanged(shop):
    client = api_client(shop.anna)
    client.post(URL, {"lines": [{"sku": "MUG", "quantity": 1}]}, format="json")
    cart = Cart.objects.get(user=shop.anna)
    body = {
        "cart": str(cart.token),
        "lines": [
            {"sku": "MUG", "quantity": 2},
            {"sku": "BOX", "quantity": 14},
            {"sku": "NOPE", "quantity": 1},
        ],
    }
    response = client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "quick_order_refused"
    assert [(row["line"], row["code"], row["error"]) for row in data["detail"]["rows"]] == [
        (2, "BOX", "BOX is sold by packs of 6: order 12 or 18 units, not 14."),
        (3, "NOPE", "Unknown product code NOPE."),
    ]
    assert lines_of(cart) == [("MUG", 1)]


def test_a_quantity_out_of_range_is_a_row_error_and_a_non_number_a_400(shop):
    client = api_client(shop.carla)
    response = client.post(URL, {"lines": [{"sku": "MUG", "quantity": -1}]}, format="json")
    assert response.status_code == 422
    assert response.json()["detail"]["rows"][0]["error"] == "Bad quantity “-1”: a whole number from 1 to 99."
    response = client.post(URL, {"lines": [{"sku": "MUG", "quantity": "2.5"}]}, format="json")
    assert response.status_code == 400
    assert not Cart.objects.filter(user=shop.carla, lines__isnull=False).exists()


def test_too_many_lines_is_a_400(shop, settings):
    settings.QUICK_ORDER_MAX_ROWS = 2
    response = api_client(shop.carla).post(URL, {"lines": [{"sku": "MUG", "quantity": 1}] * 3}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "quick_order_invalid"


def test_an_anonymous_caller_gets_401(shop):
    response = api_client().post(URL, {"lines": [{"sku": "MUG", "quantity": 1}]}, format="json")
    assert response.status_code == 401
    assert not Cart.objects.exists()


def test_another_users_cart_is_not_found(shop):
    other = Cart.objects.create(user=shop.bruno)
    anonymous = Cart.objects.create()
    client = api_client(shop.anna)
    for token in (other.token, anonymous.token):
        response = client.post(
            URL, {"cart": str(token), "lines": [{"sku": "MUG", "quantity": 1}]}, format="json"
        )
        assert response.status_code == 404
    assert lines_of(other) == [] and lines_of(anonymous) == []


def test_a_replayed_idempotency_key_adds_nothing_twice(shop):
    client = api_client(shop.carla)
    body = {"lines": [{"sku": "MUG", "quantity": 2}]}
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="qo-1")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="qo-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert lines_of(Cart.objects.get(user=shop.carla)) == [("MUG", 2)]


def test_the_quick_order_api_is_documented(tmp_path, capsys):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--file", str(target))
    schema = target.read_text()
    warnings = capsys.readouterr().err
    assert "orders/api/quick_order.py" not in warnings and "orders.api.quick_order" not in warnings
    assert "/api/v1/b2b/quick-order/:" in schema
    assert "operationId: b2b_quick_order" in schema
    assert "quick_order_refused" in schema
