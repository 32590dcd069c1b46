"""One rule says whose stock a user may read (inventory.permissions.readable_location_codes), over REST
(``GET /api/v1/stock/``) and over the stock websocket alike: a cashier reads their store and the other
open stores, never the warehouse; staff read everything."""

import pytest
from asgiref.sync import async_to_sync

from inventory import services
from inventory.consumers import StockAccessDenied, resolve_locations
from inventory.models import LocationKind
from tests.core.api_helpers import api_client
from tests.factories import LocationFactory, cashier, staff

pytestmark = pytest.mark.django_db

STOCK = "/api/v1/stock/"


@pytest.fixture
def warehouse(store, other_store, variant):
    wh = LocationFactory(code="WH", name="Warehouse", kind=LocationKind.WAREHOUSE)
    for location in (store, other_store, wh):
        services.receive_stock(variant=variant, location=location, quantity=4)
    return wh


def test_a_cashier_asking_for_the_warehouse_over_rest_is_refused(store, warehouse):
    response = api_client(cashier(store)).get(STOCK, {"location": "WH"})
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "You may not read the stock of WH.",
        "detail": {"location": ["WH"]},
    }
    response = api_client(cashier(store)).get(STOCK, {"location": "AJA,WH"})
    assert response.status_code == 403


def test_a_cashier_listing_stock_gets_the_stores_only(store, warehouse):
    response = api_client(cashier(store)).get(STOCK)
    assert response.status_code == 200
    assert [row["location"] for row in response.json()["results"]] == ["AJA", "BAS"]
    response = api_client(cashier(store)).get(STOCK, {"location": "BAS"})
    assert [row["location"] for row in response.json()["results"]] == ["BAS"]


def test_staff_read_every_location(store, warehouse):
    response = api_client(staff()).get(STOCK)
    assert [row["location"] for row in response.json()["results"]] == ["AJA", "BAS", "WH"]


@pytest.mark.django_db(transaction=True)  # database_sync_to_async closes connections (PostgreSQL)
def test_the_websocket_applies_the_same_rule(store, warehouse):
    user = cashier(store)
    with pytest.raises(StockAccessDenied, match="You may not read the stock of WH."):
        async_to_sync(resolve_locations)(user, ["WH"])
    assert async_to_sync(resolve_locations)(user, ["AJA", "BAS"]) == ["AJA", "BAS"]
    assert async_to_sync(resolve_locations)(staff(), ["WH"]) == ["WH"]
