"""A customer id given to the till (quote, sale) must be an active customer account: a superuser,
an employee or an unknown id is the same 404 ``unknown_customer``, and nothing is written."""

import uuid

import pytest

from orders.models import Order
from tests.core.api_helpers import api_client
from tests.factories import UserFactory, cashier, staff

pytestmark = pytest.mark.django_db

API = "/api/v1/pos/"


def _quote(user, customer_id):
    body = {"lines": [{"sku": "TSHIRT-M-RED", "quantity": 1}], "customer": customer_id}
    return api_client(user).post(f"{API}quote/", body, format="json")


@pytest.mark.parametrize(
    "who",
    ["superuser", "staff", "cashier", "inactive", "unknown"],
)
def test_a_quote_for_someone_who_is_not_a_customer_is_refused(store, cashier_user, tshirt, who):
    target = {
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
        "staff": lambda: staff(),
        "cashier": lambda: cashier(store),
        "inactive": lambda: UserFactory(is_active=False),
        "unknown": lambda: None,
    }[who]()
    customer_id = target.pk if target else 999999
    response = _quote(cashier_user, customer_id)
    assert response.status_code == 404
    assert response.json() == {
        "code": "unknown_customer",
        "message": "No customer has this id.",
        "detail": {"customer": customer_id},
    }


def test_a_quote_for_a_customer_works(store, cashier_user, tshirt):
    shopper = UserFactory(role="shopper")
    response = _quote(cashier_user, shopper.pk)
    assert response.status_code == 200


def test_a_sale_for_a_superuser_writes_nothing(store, cashier_user, session, tshirt):
    boss = UserFactory(is_superuser=True, is_staff=True)
    body = {
        "uuid": str(uuid.uuid4()),
        "session": session.pk,
        "lines": [{"sku": "TSHIRT-M-RED", "quantity": 1}],
        "tenders": [{"kind": "cash", "amount": "12.00"}],
        "customer": boss.pk,
    }
    response = api_client(cashier_user).post(f"{API}sales/", body, format="json")
    assert response.status_code == 404 and response.json()["code"] == "unknown_customer"
    assert not Order.objects.exists()
