"""A full quick order (issue 17): 200 rows (100 products, each named twice) read, merged and added in
one transaction within a bounded number of queries; prints the time it took."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services as inventory
from orders.models import Cart
from orders.services import quick_order as qo
from tests.factories import LocationFactory, UserFactory, VariantFactory
from tests.orders.quick_order_support import lines_of

pytestmark = pytest.mark.django_db


def test_two_hundred_rows_are_added_in_one_go(settings):
    settings.QUICK_ORDER_MAX_ROWS = 200
    aja = LocationFactory(code="AJA", sells_online=True)
    for n in range(100):
        inventory.receive_stock(variant=VariantFactory(sku=f"P{n:03d}"), location=aja, quantity=10)
    cart = Cart.objects.create(user=UserFactory())
    text = "\n".join(f"P{n % 100:03d};1" for n in range(200))
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        report = qo.add_quick_order(cart=cart, report=qo.parse_quick_order_text(text))
    elapsed = time.perf_counter() - started
    print(f"\n200 rows -> 100 lines: {elapsed * 1000:.0f} ms, {len(queries)} queries ({connection.vendor})")
    assert report.added == 100 and len(report.merged_rows) == 100
    assert len(lines_of(cart)) == 100
    assert len(queries) <= 12 * 100  # the cart service's checks and a savepoint, per merged line (1103 on PG)
