"""Receipt prints in the technical journal: the first print of a sale is the original, every later
one a duplicate (the page's context says so and E's template prints "DUPLICATA")."""

from decimal import Decimal

import pytest

from pos.services import journal
from tests.pos.journal_support import assert_linked, chain

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def order(session, cashier_user, tshirt, sell):
    return sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")]).order


def test_the_first_print_is_the_original_and_later_ones_are_numbered_duplicates(
    client, register, cashier_user, order
):
    client.force_login(cashier_user)

    pages = [client.get(f"/pos/receipt/{order.number}/") for _ in range(3)]

    assert [p.status_code for p in pages] == [200, 200, 200]
    assert [(p.context["is_duplicate"], p.context["duplicate_number"]) for p in pages] == [
        (False, 0),
        (True, 1),
        (True, 2),
    ]
    prints = [e for e in chain(register, "technical") if e.reference == order.number]
    assert [(e.kind, e.payload["duplicate"], e.user) for e in prints] == [
        ("receipt_print", 0, cashier_user),
        ("reprint", 1, cashier_user),
        ("reprint", 2, cashier_user),
    ]
    assert_linked(chain(register, "technical"))


def test_record_reprint_counts_the_duplicates_this_one_included(register, cashier_user, order):
    assert journal.record_receipt_print(order=order, user=cashier_user) == 0
    assert journal.record_reprint(order=order, user=cashier_user) == 1
    assert journal.record_reprint(order=order, user=cashier_user) == 2
    assert journal.record_receipt_print(order=order, user=cashier_user) == 3


def test_another_stores_receipt_is_a_404_and_records_no_print(client, other_cashier, register, order):
    client.force_login(other_cashier)

    assert client.get(f"/pos/receipt/{order.number}/").status_code == 404
    assert [e.kind for e in chain(register, "technical")] == ["session_open"]
