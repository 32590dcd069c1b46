"""``/api/v1/b2b/approvals/``: a company approver decides over the API as in the portal (issue 17)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Company, CompanyMember, CompanyRole
from inventory.models import Reservation, ReservationStatus
from orders.models import Approval, Order, OrderStatus
from tests.core.api_helpers import api_client
from tests.factories import UserFactory
from tests.orders.test_b2b_terms import _english, pro, start  # noqa: F401

pytestmark = pytest.mark.django_db
LIST = "/api/v1/b2b/approvals/"


def approve_url(number: str) -> str:
    return f"{LIST}{number}/approve/"


def reject_url(number: str) -> str:
    return f"{LIST}{number}/reject/"


@pytest.fixture
def pending(pro):  # noqa: F811
    shop, company, people = pro
    order, _ = start(people[CompanyRole.BUYER], 12, shop)  # 150 € > the 100 € approval limit
    assert order.approval == Approval.PENDING
    return order, people


def test_the_approver_lists_the_order_with_its_lines_and_the_buyer_lists_nothing(pending):
    order, people = pending
    body = api_client(people[CompanyRole.APPROVER]).get(LIST).json()
    [row] = body["results"]
    assert (row["number"], row["buyer"], row["approval"], row["payment_terms"]) == (
        order.number, "buyer@rossi.example", "pending", "net30eom",
    )  # fmt: skip
    assert row["lines"] == [{"sku": "TEE", "name": order.lines.get().name, "quantity": 12,
                             "total_net": str(order.lines.get().total_net)}]  # fmt: skip
    assert Decimal(row["total_gross"]) == order.total_gross
    assert api_client(people[CompanyRole.BUYER]).get(LIST).json() == {"results": []}


def test_approving_on_terms_accepts_the_order_once(pending):
    order, people = pending
    client = api_client(people[CompanyRole.APPROVER])
    response = client.post(approve_url(order.number), format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["approval"], response.json()["status"]) == ("approved", OrderStatus.PAID)
    again = client.post(approve_url(order.number), format="json")
    assert again.status_code == 409 and again.json()["code"] == "not_awaiting_approval"
    assert client.get(LIST).json() == {"results": []}


def test_rejecting_cancels_the_order_and_frees_its_units(pending):
    order, people = pending
    response = api_client(people[CompanyRole.ADMIN]).post(
        reject_url(order.number), {"reason": "Too many tees"}, format="json"
    )
    assert response.status_code == 200, response.json()
    order.refresh_from_db()
    assert (order.approval, order.status) == (Approval.REJECTED, OrderStatus.CANCELLED)
    assert not Reservation.objects.filter(status=ReservationStatus.ACTIVE).exists()


@pytest.mark.parametrize(
    "body",
    [{"reason": "x" * 201}, {"reason": ["a"]}, {"reason": "a\u0000b"}, {"reason": None}],
    ids=["too-long", "a-list", "nul", "null"],
)
def test_a_bad_reason_is_a_400_and_nothing_changes(pending, body):
    order, people = pending
    response = api_client(people[CompanyRole.APPROVER]).post(reject_url(order.number), body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["message"]
    order.refresh_from_db()
    assert (order.approval, order.status) == (Approval.PENDING, OrderStatus.PENDING_PAYMENT)


def test_not_mine_to_decide_is_a_404_whatever_the_reason(pending):
    order, people = pending
    stranger = UserFactory()
    CompanyMember.objects.create(
        company=Company.objects.create(name="Other"), user=stranger, role=CompanyRole.ADMIN
    )
    for user, number in (
        (stranger, order.number),  # another company's approver
        (people[CompanyRole.BUYER], order.number),  # a buyer approves nothing
        (people[CompanyRole.APPROVER], "W2026-999999"),  # unknown
    ):
        response = api_client(user).post(approve_url(number), format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found", (user, number)
    assert Order.objects.get(pk=order.pk).approval == Approval.PENDING


def test_anonymous_callers_get_a_401(pending):
    order, _people = pending
    assert APIClient().get(LIST).status_code == 401
    assert APIClient().post(approve_url(order.number), format="json").status_code == 401
