"""The OpenAPI schema generates without warnings and the docs are served offline."""

import pytest
import yaml
from django.core.management import call_command

# POSTs that change nothing twice by themselves: quotes (delivery options, a POS basket), the test
# provider's confirmation (a second confirm of a settled payment is a no-op) and the POS offline sync
# (every sale in the batch carries its own client UUID, which is its idempotency key).
NATURALLY_IDEMPOTENT_POSTS = {
    "/api/v1/checkout/options/",
    "/api/v1/checkout/{number}/confirm/",
    "/api/v1/pos/quote/",
    "/api/v1/pos/sales/sync/",
    "/api/v1/shipments/{shipment_id}/events/",  # carrier webhook: replays store nothing
    "/api/v1/erp/batches/{batch_id}/ack/",  # a second acknowledgement answers the batch as it is
    "/api/v1/store/reservations/{number}/cancel/",  # a cancelled reservation stays cancelled
}


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    # --fail-on-warn makes any drf-spectacular warning or error a SystemExit
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = target.read_text()
    for path in (
        "/api/v1/stock/:",
        "/api/v1/stock/movements/:",
        "/api/v1/stock/counts/:",
        "/api/v1/stock/transfers/:",
        "/api/v1/stock/reservations/:",
        "/api/v1/stock/reservations/{reservation_id}/release/:",
        "/api/v1/stock/reservations/{reservation_id}/commit/:",
    ):
        assert path in schema
    posts = {
        path: [parameter.get("name") for parameter in operations["post"].get("parameters", [])]
        for path, operations in yaml.safe_load(schema)["paths"].items()
        if "post" in operations
    }
    assert len(posts) >= 12
    missing = [p for p, names in posts.items() if "Idempotency-Key" not in names]
    assert sorted(missing) == sorted(NATURALLY_IDEMPOTENT_POSTS)


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


# --- schema truth (issue 8, finding 12): the schema says exactly what the code does ---------------------


@pytest.fixture
def spec(client):
    return client.get("/api/schema/?format=json").json()


def _param(spec, path, name, method="get"):
    return next(p for p in spec["paths"][path][method]["parameters"] if p["name"] == name)


@pytest.fixture
def shop_world(db):
    from tests.factories import LocationFactory, VariantFactory, cashier, staff

    aja = LocationFactory(code="AJA", name="Ajaccio")
    VariantFactory(sku="TEE-1")
    return {"aja": aja, "cashier": cashier(aja), "staff": staff()}


def test_an_empty_sort_is_refused_as_the_schema_says(spec, shop_world):
    from tests.core.api_helpers import api_client

    sort = _param(spec, "/api/v1/catalog/products/", "sort")["schema"]
    response = api_client().get("/api/v1/catalog/products/?sort=")

    assert sort["enum"] == ["relevance", "name", "price_asc", "price_desc", "newest"]
    assert sort["minLength"] == 1
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["detail"])) == ("invalid", ["sort"])


@pytest.mark.parametrize(
    "path, role",
    [("/api/v1/catalog/products/", None), ("/api/v1/stock/", "staff"), ("/api/v1/orders/", "staff")],
)
@pytest.mark.parametrize(
    "query",
    ["offset=null", "offset=-1", "offset=0.0", "limit=0", "limit=abc", "limit=+5", "offset=2147483648"],
)
def test_limit_and_offset_outside_the_schema_are_a_400(spec, shop_world, path, role, query):
    from tests.core.api_helpers import api_client

    offset = _param(spec, path, "offset")["schema"]
    limit = _param(spec, path, "limit")["schema"]
    response = api_client(shop_world[role] if role else None).get(f"{path}?{query}")

    assert (offset["type"], offset["minimum"], offset["maximum"]) == ("integer", 0, 2**31 - 1)
    assert (limit["type"], limit["minimum"]) == ("integer", 1)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["detail"])) == ("invalid", [query.split("=")[0]])
    assert "400" in spec["paths"][path]["get"]["responses"]


def test_an_unknown_in_stock_at_location_is_a_documented_404(spec, shop_world):
    from tests.core.api_helpers import api_client

    in_stock_at = _param(spec, "/api/v1/catalog/products/", "in_stock_at")["schema"]
    known = api_client().get("/api/v1/catalog/products/?in_stock_at=AJA")
    unknown = api_client().get("/api/v1/catalog/products/?in_stock_at=XXX")

    assert (in_stock_at["pattern"], in_stock_at["maxLength"]) == ("^[-a-zA-Z0-9_]+$", 20)
    assert (
        "unknown_location"
        in spec["paths"]["/api/v1/catalog/products/"]["get"]["responses"]["404"]["description"]
    )
    assert known.status_code == 200
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_location")


def test_pos_catalog_limit_bounds_are_in_the_schema(spec, shop_world):
    from tests.core.api_helpers import api_client

    limit = _param(spec, "/api/v1/pos/catalog/", "limit")["schema"]
    client = api_client(shop_world["cashier"])

    assert (limit["minimum"], limit["maximum"]) == (1, 5000)
    assert client.get("/api/v1/pos/catalog/?limit=0").status_code == 400
    assert client.get("/api/v1/pos/catalog/?limit=1").status_code == 200
    assert client.get("/api/v1/pos/catalog/?limit=5001").status_code == 400
    assert client.get("/api/v1/pos/catalog/?after=0.0").status_code == 400


@pytest.mark.parametrize(
    "q, status",
    [("ab", 400), ("abc", 200), (" abc", 400), ("a" * 254, 200), ("a" * 255, 400)],
)
def test_pos_customer_query_length_is_in_the_schema(spec, shop_world, q, status):
    import re

    from tests.core.api_helpers import api_client

    schema = _param(spec, "/api/v1/pos/customers/", "q")["schema"]
    response = api_client(shop_world["cashier"]).get("/api/v1/pos/customers/", {"q": q})

    assert (schema["minLength"], schema["maxLength"]) == (3, 254)
    schema_valid = schema["minLength"] <= len(q) <= schema["maxLength"] and re.search(schema["pattern"], q)
    assert bool(schema_valid) == (status == 200)
    assert response.status_code == status


def test_say_which_store_is_a_documented_404(spec, shop_world):
    from tests.core.api_helpers import api_client

    response = api_client(shop_world["staff"]).get("/api/v1/pos/pickups/")

    assert (response.status_code, response.json()["message"]) == (404, "Say which store: no store here.")
    pickups = spec["paths"]["/api/v1/pos/pickups/"]["get"]
    assert "Say which store" in pickups["responses"]["404"]["description"]
    store = _param(spec, "/api/v1/pos/pickups/", "store")["schema"]["oneOf"]
    assert store == [
        {
            "type": "string",
            "default": "",
            # no control character, no bidi override (core.text)
            "pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+$",
            "maxLength": 20,
        },
        {"type": "string", "maxLength": 0},
    ]


def test_an_empty_idempotency_key_is_a_documented_400(spec, shop_world):
    from inventory.models import StockMovement
    from tests.core.api_helpers import api_client

    body = {"sku": "TEE-1", "location": "AJA", "quantity": 1, "reason": "receipt", "reference": "PO-1"}
    response = api_client(shop_world["staff"]).post(
        "/api/v1/stock/movements/", body, format="json", HTTP_IDEMPOTENCY_KEY=""
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid_idempotency_key")
    assert StockMovement.objects.count() == 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            names = {p["name"]: p for p in operation.get("parameters", [])}
            if "Idempotency-Key" in names:
                assert names["Idempotency-Key"]["schema"]["minLength"] == 1, (method, path)
                assert "invalid_idempotency_key" in operation["responses"]["400"]["description"]


def test_every_operation_documents_401_and_429_with_retry_after(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"401", "429"} <= set(responses), (method, path)
            assert responses["429"]["headers"]["Retry-After"]["required"] is True
            if method in ("post", "patch", "delete"):
                assert "403" in responses, (method, path)


@pytest.mark.parametrize("amount, status", [("5", 201), ("0.01", 201), ("0", 400), ("-1", 400), (5, 400)])
def test_money_in_a_request_is_a_string_matching_the_published_pattern(spec, shop_world, amount, status):
    import re
    from decimal import Decimal

    from pos.models import Register
    from pos.services.sessions import open_register_session
    from tests.core.api_helpers import api_client

    register = Register.objects.create(store=shop_world["aja"], code="aja-1", name="Ajaccio 1")
    session = open_register_session(
        register=register, user=shop_world["cashier"], opening_float=Decimal("100.00")
    )
    pattern = spec["components"]["schemas"]["CashRequest"]["properties"]["amount"]["pattern"]

    response = api_client(shop_world["cashier"]).post(
        f"/api/v1/pos/sessions/{session.pk}/cash/",
        {"kind": "cash_in", "amount": amount, "reason": "float"},
        format="json",
    )

    assert bool(isinstance(amount, str) and re.fullmatch(pattern, amount)) == (status == 201)
    assert response.status_code == status
