"""/api/v1/loyalty/: the customer's own account and history; staff adjustments, refusals write nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from loyalty import services
from loyalty.models import LoyaltyAccount, PointsEntry
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db

ACCOUNT = "/api/v1/loyalty/"
HISTORY = "/api/v1/loyalty/history/"
ADJUST = "/api/v1/loyalty/adjustments/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_own_account_with_tier_progress_and_history(customer, shop, till_sale, django_assert_max_num_queries):
    till_sale(customer, [("TEE", 4)], [("cash", "50.00")])
    UserFactory(email="other@example.com")
    with django_assert_max_num_queries(8):
        response = client_for(customer).get(ACCOUNT)
    assert response.status_code == 200
    body = response.json()
    assert body["balance"] == 50
    assert body["tier"] is None
    assert body["spend_12m"] == "50.00"
    assert body["next_tier"]["code"] == "silver"
    assert body["to_next_tier"] == "150.00"
    assert body["progress_percent"] == 25
    assert [(e["kind"], e["points"]) for e in body["history"]] == [("earn", 50)]
    assert body["history"][0]["order"].startswith("S")


def test_history_is_paginated_and_only_mine(customer, shop):
    other = UserFactory(email="other@example.com")
    for i in range(3):
        services.adjust(customer=customer, points=10 + i, reason=f"r{i}", staff=shop.cashier)
    services.adjust(customer=other, points=99, reason="other", staff=shop.cashier)
    response = client_for(customer).get(HISTORY, {"limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [e["points"] for e in body["results"]] == [12, 11]
    assert client_for(customer).get(HISTORY, {"limit": "x"}).status_code == 400


def test_anonymous_gets_401():
    assert APIClient().get(ACCOUNT).status_code in (401, 403)


def test_staff_adjusts_once_per_idempotency_key(customer):
    agent = staff(email="agent@example.com")
    client = client_for(agent)
    body = {"customer": customer.pk, "points": 40, "reason": "late parcel"}
    first = client.post(ADJUST, body, format="json", HTTP_IDEMPOTENCY_KEY="adj-1")
    assert first.status_code == 201, first.json()
    assert first.json()["balance"] == 40
    again = client.post(ADJUST, body, format="json", HTTP_IDEMPOTENCY_KEY="adj-1")
    assert again.status_code == 201
    entry = PointsEntry.objects.get()
    assert (entry.points, entry.reason, entry.staff) == (40, "late parcel", agent)
    assert LoyaltyAccount.objects.get(customer=customer).balance == 40


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"points": 10, "reason": "x"}, 400, "invalid"),
        ({"customer": "abc", "points": 10, "reason": "x"}, 400, "invalid"),
        ({"customer": 0, "points": 10, "reason": "x"}, 400, "invalid"),
        ({"customer": None, "points": 1.5, "reason": "x"}, 400, "invalid"),
        ({"customer": "me", "points": 0, "reason": "x"}, 400, "invalid_points"),
        ({"customer": "me", "points": 10, "reason": ""}, 400, "invalid"),
        ({"customer": "me", "points": 10, "reason": "   "}, 400, "invalid"),
        ({"customer": "me", "points": 10, "reason": "bad\u202e"}, 400, "invalid"),
        ({"customer": "me", "points": -5, "reason": "too much"}, 409, "insufficient_points"),
        ({"customer": 999999, "points": 10, "reason": "x"}, 404, "customer_not_found"),
    ],
)
def test_bad_adjustments_are_refused_and_write_nothing(customer, body, status, code):
    body = {k: (customer.pk if v == "me" else v) for k, v in body.items()}
    response = client_for(staff()).post(ADJUST, body, format="json")
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert not PointsEntry.objects.exists()
    assert not LoyaltyAccount.objects.filter(balance__gt=0).exists()


def test_a_shopper_or_cashier_may_not_adjust(customer, shop):
    body = {"customer": customer.pk, "points": 10, "reason": "me"}
    assert client_for(customer).post(ADJUST, body, format="json").status_code == 403
    assert client_for(shop.cashier).post(ADJUST, body, format="json").status_code == 403
    assert not PointsEntry.objects.exists()
