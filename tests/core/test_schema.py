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
