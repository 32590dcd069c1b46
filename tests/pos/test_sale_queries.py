"""How many SQL queries a till sale runs through the API (issue 15): a constant, whatever the lines.

A 2-line sale once the register has sold today (its sale-number sequence and journal head exist):

- auth: the token with its user (1), the user's and their groups' permissions (2, Django's
  ``ModelBackend``);
- ``Idempotency-Key``: the record claimed by one ``INSERT ... ON CONFLICT DO NOTHING`` (1), in its
  transaction (a savepoint here: the test's transaction holds it), then the operation's savepoint (2,
  a refusal is stored while the sale rolls back); the answer stored (1);
- the view: the session, with its register and store, for the cashier's stores (1);
- ``record_sale`` (no savepoint of its own: it joins the idempotency savepoint, and the services it
  calls join it, ``core.transactions``): the session locked, with whether a sale of this uuid
  exists (1);
  variants, prices, promotions (3); the number (1); the order, its lines, its status change (3);
  the subscribers in the transaction: invoicing's queue entry, reporting's outbox message (2); the
  stock levels locked, updated, the ledger, the availability rows (4); the sale, its tenders, its
  cash movements (3); the journal head locked, the entry, the head (3).
"""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services as inventory
from inventory.models import StockLevel, StockMovement
from orders.models import Order
from tests.core.api_helpers import api_client
from tests.factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/pos/"
# see the module docstring; SQLite (the demo's) reads the changed stock levels back (no UPDATE ... RETURNING)
QUERIES = 30 if connection.vendor == "postgresql" else 31


@pytest.fixture
def six_skus(store):
    skus = []
    for n in range(6):
        variant = VariantFactory(sku=f"QC-{n}", product=ProductFactory(base_price_ht=Decimal("10")))
        inventory.receive_stock(variant=variant, location=store, quantity=10, reference="PO-1")
        skus.append(variant.sku)
    return skus


def sale(session, skus):
    body = {
        "uuid": str(uuid.uuid4()),
        "session": session.pk,
        "lines": [{"sku": sku, "quantity": 2} for sku in skus],
        "tenders": [{"kind": "cash", "amount": "500.00"}],
    }
    return body


def post(client, body):
    return client.post(f"{API}sales/", body, format="json", HTTP_IDEMPOTENCY_KEY=body["uuid"])


def test_a_two_line_sale_runs_a_pinned_number_of_queries(
    store, session, cashier_user, six_skus, django_assert_max_num_queries
):
    client = api_client(cashier_user)
    assert post(client, sale(session, six_skus[:1])).status_code == 201  # today's first sale
    body = sale(session, six_skus[:2])
    with django_assert_max_num_queries(QUERIES):
        response = post(client, body)
    assert response.status_code == 201
    order = Order.objects.get(number=response.json()["number"])
    assert order.total_gross == Decimal("48.00")
    assert sorted(
        StockMovement.objects.filter(reference=order.number).values_list("variant__sku", "quantity")
    ) == [
        ("QC-0", -2),
        ("QC-1", -2),
    ]


def test_the_query_count_does_not_grow_with_lines(store, session, cashier_user, six_skus):
    client = api_client(cashier_user)
    assert post(client, sale(session, six_skus[:1])).status_code == 201  # today's first sale
    counts = {}
    for lines in (2, 6):
        with CaptureQueriesContext(connection) as ctx:
            response = post(client, sale(session, six_skus[:lines]))
        assert response.status_code == 201
        counts[lines] = len(ctx.captured_queries)
    assert counts == {2: QUERIES, 6: QUERIES}
    # QC-0 sold 2 + 2 + 2, QC-1 2 + 2, the others 2; the ledger says the same
    on_hand = dict(StockLevel.objects.filter(location=store).values_list("variant__sku", "on_hand"))
    assert on_hand == {"QC-0": 4, "QC-1": 6, "QC-2": 8, "QC-3": 8, "QC-4": 8, "QC-5": 8}
    assert StockMovement.objects.filter(reason="sale").count() == 1 + 2 + 6


def test_a_replay_through_the_api_writes_nothing(store, session, cashier_user, six_skus):
    client = api_client(cashier_user)
    body = sale(session, six_skus[:2])
    first = post(client, body)
    with CaptureQueriesContext(connection) as ctx:
        again = post(client, body)
    assert (again.status_code, again.json()) == (201, first.json())
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].split()[0] in ("UPDATE", "DELETE")]
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert writes == []
    assert len(inserts) == 1 and "ON CONFLICT" in inserts[0]  # the key's claim, which found the record
    assert Order.objects.count() == 1
    assert StockMovement.objects.filter(reason="sale").count() == 2
