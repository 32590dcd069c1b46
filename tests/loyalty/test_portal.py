"""The portal's "My points" page: one's own balance, tier, progress and history, in few queries."""

from __future__ import annotations

import pytest

from loyalty import services
from tests.accounts.portal_support import shopper
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_page_shows_tier_progress_balance_and_history(
    client, shop, till_sale, till_return, django_assert_max_num_queries
):
    lea = shopper(email="lea@example.com")
    order = till_sale(lea, [("TEE", 20)], [("cash", "250.00")])  # 250 points, silver
    till_return(order, [("TEE", 2)])  # -25 points
    services.adjust(customer=lea, points=30, reason="Welcome gift", staff=shop.cashier)
    other = UserFactory(email="other@example.com")
    services.adjust(customer=other, points=999, reason="not Léa's", staff=shop.cashier)
    client.force_login(lea)
    with django_assert_max_num_queries(15):
        response = client.get("/en/account/loyalty/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "255 points" in html
    assert "Silver" in html
    assert "€575.00 more to reach Gold" in html  # 800 - (250 - 25)
    assert "Welcome gift" in html
    assert order.number in html
    assert "+250" in html and "-25" in html
    assert "not Léa&#x27;s" not in html and "+999" not in html


def test_the_page_needs_a_sign_in(client):
    response = client.get("/en/account/loyalty/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
