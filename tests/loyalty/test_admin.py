"""The loyalty admin: rules and tiers editable by staff, the ledger read-only, adjustments through
the service (refused ones write nothing)."""

from __future__ import annotations

import pytest

from loyalty.models import LoyaltyAccount, PointsEntry, Tier
from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client):
    agent = staff(email="agent@example.com", is_staff=True)
    client.force_login(agent)
    client.agent = agent
    return client


def test_staff_adjusts_points_from_the_admin(agent_client, customer):
    response = agent_client.post(
        "/admin/loyalty/pointsentry/add/", {"customer": customer.pk, "points": 25, "reason": "goodwill"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = PointsEntry.objects.get()
    assert (entry.kind, entry.points, entry.staff, entry.reason) == (
        "adjust",
        25,
        agent_client.agent,
        "goodwill",
    )
    assert LoyaltyAccount.objects.get(customer=customer).balance == 25
    # the entry's page is read-only: no change, no delete
    page = agent_client.get(f"/admin/loyalty/pointsentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert (
        agent_client.post(f"/admin/loyalty/pointsentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert PointsEntry.objects.count() == 1


def test_admin_refuses_below_zero_and_without_reason(agent_client, customer):
    for data in (
        {"customer": customer.pk, "points": -5, "reason": "oops"},
        {"customer": customer.pk, "points": 5, "reason": ""},
        {"customer": customer.pk, "points": 0, "reason": "zero"},
    ):
        response = agent_client.post("/admin/loyalty/pointsentry/add/", data)
        assert response.status_code == 200  # the form again, with its error
        assert response.context["adminform"].form.errors
    assert not PointsEntry.objects.exists()


def test_staff_edits_a_tier_threshold(agent_client):
    gold = Tier.objects.get(code="gold")
    page = agent_client.get(f"/admin/loyalty/tier/{gold.pk}/change/")
    assert page.status_code == 200
    data = {
        "code": "gold",
        "name": "Gold",
        "rank": 2,
        "threshold_eur": "900.00",
        "earn_multiplier": "1.25",
        "discount_percent": "5.00",
        "free_shipping": "on",
    }
    assert agent_client.post(f"/admin/loyalty/tier/{gold.pk}/change/", data).status_code == 302
    gold.refresh_from_db()
    assert str(gold.threshold_eur) == "900.00"
    assert agent_client.get("/admin/loyalty/earnrule/").status_code == 200
    assert agent_client.get("/admin/loyalty/loyaltyaccount/").status_code == 200
