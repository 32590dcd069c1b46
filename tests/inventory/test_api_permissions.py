"""Who may do what where through the stock API (inventory.permissions); a refusal changes nothing."""

import pytest

from inventory import services
from inventory.models import Reservation
from tests.core.api_helpers import api_client, ledger_count, stock
from tests.factories import UserFactory, cashier, manager, staff, store_manager

pytestmark = pytest.mark.django_db

SKU = "TSHIRT-M-RED"


@pytest.fixture
def stocked(store, other_store, variant):
    """Given 10 units at AJA and 10 at BAS."""
    services.receive_stock(variant=variant, location=store, quantity=10)
    services.receive_stock(variant=variant, location=other_store, quantity=10)
    return variant


def make_user(role, store):
    return {
        "cashier": lambda: cashier(store),
        "store_manager": lambda: store_manager(store),
        "staff": staff,
        "manager": manager,
        "shopper": lambda: UserFactory(role="shopper"),
    }[role]()


def attempt(client, action, location):
    """POST one operation at ``location`` (AJA is the users' own store, BAS another one)."""
    other = "BAS" if location == "AJA" else "AJA"
    if action in ("sale", "return", "receipt", "loss"):
        body = {"sku": SKU, "location": location, "quantity": 1, "reason": action, "reference": "R"}
        return client.post("/api/v1/stock/movements/", body, format="json")
    if action == "count":
        body = {"sku": SKU, "location": location, "counted": 9, "reference": "R"}
        return client.post("/api/v1/stock/counts/", body, format="json")
    if action == "transfer":
        body = {"sku": SKU, "from_location": location, "to_location": other, "quantity": 1}
        return client.post("/api/v1/stock/transfers/", body, format="json")
    if action == "reserve":
        body = {"sku": SKU, "location": location, "quantity": 1, "reference": "R"}
        return client.post("/api/v1/stock/reservations/", body, format="json")
    reservation = Reservation.objects.get(location__code=location)
    return client.post(f"/api/v1/stock/reservations/{reservation.pk}/{action}/")


ACTIONS = ["sale", "return", "receipt", "loss", "count", "transfer", "reserve", "release", "commit"]
# role -> actions allowed at the user's own store (AJA)
OWN_STORE = {
    "cashier": {"sale", "return", "reserve", "release", "commit"},
    "store_manager": set(ACTIONS),
    "staff": set(ACTIONS),
    "manager": set(ACTIONS),
    "shopper": set(),
}
ANYWHERE = {"staff", "manager"}
CASES = [
    (role, action, location, (location == "AJA" and action in OWN_STORE[role]) or role in ANYWHERE)
    for role in OWN_STORE
    for action in ACTIONS
    for location in ("AJA", "BAS")
]


@pytest.mark.parametrize(
    ("role", "action", "location", "allowed"),
    CASES,
    ids=[f"{r}-{a}-{loc}-{'ok' if ok else 'denied'}" for r, a, loc, ok in CASES],
)
def test_permission_matrix(store, other_store, stocked, role, action, location, allowed):
    # given a user of the role (cashiers and store managers work at AJA) and an active reservation
    user = make_user(role, store)
    at = store if location == "AJA" else other_store
    if action in ("release", "commit"):
        services.reserve_stock(variant=stocked, location=at, quantity=1, reference="C-1")
    before = (ledger_count(), stock(stocked, store), stock(stocked, other_store))

    # when
    response = attempt(api_client(user), action, location)

    # then
    if allowed:
        assert response.status_code in (200, 201), response.json()
        assert ledger_count() > before[0]
    else:
        assert response.status_code == 403, response.json()
        assert response.json() == {
            "code": "permission_denied",
            "message": f"You may not do this at {location}.",
            "detail": {"location": location},
        }
        assert (ledger_count(), stock(stocked, store), stock(stocked, other_store)) == before


def test_cashier_without_a_store_may_not_sell_anywhere(store, stocked):
    user = cashier(None)

    response = attempt(api_client(user), "sale", "AJA")

    assert response.status_code == 403
    assert stock(stocked, store) == (10, 0)


def test_inactive_users_token_is_401(store, stocked):
    user = staff()
    client = api_client(user)
    user.is_active = False
    user.save()

    response = attempt(client, "sale", "AJA")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert stock(stocked, store) == (10, 0)


@pytest.mark.parametrize("role", ["cashier", "store_manager", "staff", "manager"])
def test_every_stock_role_may_list_levels_everywhere(store, stocked, role):
    response = api_client(make_user(role, store)).get("/api/v1/stock/", {"location": "BAS"})

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_session_authentication_works_and_enforces_csrf(store, stocked):
    from rest_framework.test import APIClient

    user = staff()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    body = {"sku": SKU, "location": "AJA", "quantity": 1, "reason": "sale", "reference": "R"}

    listing = client.get("/api/v1/stock/")
    refused = client.post("/api/v1/stock/movements/", body, format="json")

    assert listing.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert "CSRF" in refused.json()["message"]
    assert stock(stocked, store) == (10, 0)
