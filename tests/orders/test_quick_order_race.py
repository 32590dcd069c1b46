"""Two quick orders into one cart at the same moment (PostgreSQL, real threads): the cart row is
locked by the cart service, so the second list is checked against what the first added. MUG has 40
units online; each list asks 30: one list lands whole, the other is refused whole (all or nothing)."""

import pytest
from django.utils import translation

from orders.models import Cart
from orders.services import quick_order as qo
from orders.services.quick_order import QuickOrderRefused
from tests.concurrency import run_in_threads
from tests.orders.quick_order_support import lines_of, make_b2b_shop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_lists_racing_into_one_cart_never_exceed_the_stock():
    shop = make_b2b_shop()
    cart = Cart.objects.create(user=shop.anna)

    def add(i: int):
        with translation.override("en"):
            report = qo.parse_quick_order_text("MUG;30\nTEE;1" if i == 0 else "MUG;30\nBOX;12")
            return qo.add_quick_order(cart=Cart.objects.get(pk=cart.pk), report=report)

    results = run_in_threads(2, add)
    refused = [r for r in results if isinstance(r, QuickOrderRefused)]
    landed = [r for r in results if not isinstance(r, Exception)]
    assert len(refused) == 1 and len(landed) == 1, results
    lines = dict(lines_of(cart))
    assert lines["MUG"] == 30  # never 60: the second list saw the first's 30 units
    assert set(lines) in ({"MUG", "TEE"}, {"MUG", "BOX"})  # one whole list, nothing of the other
    [row] = [r for r in refused[0].detail["rows"] if r["code"] == "MUG"]
    assert row["error"]
