"""Stock discrepancies from offline sales: listed in the admin, resolved by a manager of that store."""

import pytest
from django.urls import reverse

from core.errors import PermissionDenied
from pos.models import DiscrepancyStatus, StockDiscrepancy
from pos.services.discrepancies import resolve_stock_discrepancy
from tests.factories import store_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def discrepancy(store, mug):
    return StockDiscrepancy.objects.create(location=store, variant=mug, quantity=1, note="offline sale")


def test_a_manager_of_the_store_resolves_it_once(discrepancy, manager_user):
    assert resolve_stock_discrepancy(discrepancy=discrepancy, user=manager_user, note="shelf counted") is True
    assert resolve_stock_discrepancy(discrepancy=discrepancy, user=manager_user) is False

    discrepancy.refresh_from_db()
    assert (discrepancy.status, discrepancy.note) == (
        DiscrepancyStatus.RESOLVED,
        "offline sale · shelf counted",
    )


@pytest.mark.parametrize("who", ["cashier", "other_manager"])
def test_a_cashier_or_another_stores_manager_cannot_resolve_it(discrepancy, cashier_user, other_store, who):
    user = cashier_user if who == "cashier" else store_manager(other_store, email="boss@bas.example")

    with pytest.raises(PermissionDenied):
        resolve_stock_discrepancy(discrepancy=discrepancy, user=user)

    discrepancy.refresh_from_db()
    assert discrepancy.status == DiscrepancyStatus.OPEN


def test_the_admin_lists_and_resolves_them(client, discrepancy, hq_user, django_assert_max_num_queries):
    hq_user.is_staff = True
    hq_user.save(update_fields=["is_staff"])
    client.force_login(hq_user)
    url = reverse("admin:pos_stockdiscrepancy_changelist")

    with django_assert_max_num_queries(12):
        listing = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200 and "MUG-1" in listing.content.decode()

    response = client.post(
        url,
        {"action": "resolve", "_selected_action": [discrepancy.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "1 discrepancy resolved." in response.content.decode()
    discrepancy.refresh_from_db()
    assert discrepancy.status == DiscrepancyStatus.RESOLVED
