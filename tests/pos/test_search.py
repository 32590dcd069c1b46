"""The till's search by words (GET /api/v1/pos/search/): the shop's forgiving engine, in the shape of the
offline catalog's items."""

from decimal import Decimal

import pytest

from inventory import services as inventory
from tests.core.api_helpers import api_client
from tests.factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/pos/search/"


@pytest.fixture
def shirts(store):
    chemise = ProductFactory(name_fr="Chemise en lin", name_en="Linen shirt", base_price_ht=Decimal("50"))
    small = VariantFactory(product=chemise, sku="CHE-S", position=0)
    VariantFactory(product=chemise, sku="CHE-M", position=1)
    inventory.receive_stock(variant=small, location=store, quantity=4, reference="PO-1")
    tete = ProductFactory(name_fr="Mug Tête de Maure", name_en="Moor's head mug", base_price_ht=Decimal("10"))
    VariantFactory(product=tete, sku="MUG-TDM")
    return chemise


@pytest.mark.parametrize("typed", ["chemse", "CHEMISE", "linen shirt", "chemise lin", "che-s"])
def test_the_till_finds_with_typos_case_and_another_language(store, cashier_user, shirts, typed):
    response = api_client(cashier_user).get(API, {"q": typed})

    assert response.status_code == 200
    data = response.json()
    assert data["store"] == "AJA"
    assert [item["sku"] for item in data["results"]][:2] == ["CHE-S", "CHE-M"]


def test_a_result_has_the_catalog_items_shape(store, cashier_user, shirts, django_assert_max_num_queries):
    client = api_client(cashier_user)
    # token+user, 2 permissions, store, engine (near words, products), variants, option names, option
    # links, prices, stock
    with django_assert_max_num_queries(12):
        response = client.get(API, {"q": "tete de maure"})

    assert response.json()["results"] == [
        {
            "sku": "MUG-TDM",
            "ean13": response.json()["results"][0]["ean13"],
            "name": "Moor's head mug",  # the till's API speaks the cashier's browser language
            "options": [],
            "price_gross": "12.00",
            "vat_rate": "0.2000",
            "available_here": 0,
            "available_elsewhere": {},
        }
    ]
    first = client.get(API, {"q": "chemise"}).json()["results"][0]
    assert (first["sku"], first["available_here"], first["price_gross"]) == ("CHE-S", 4, "60.00")


def test_empty_and_too_long_queries(store, cashier_user, shirts):
    client = api_client(cashier_user)

    assert client.get(API, {"q": "  "}).json()["results"] == []
    assert client.get(API, {"q": "zzqxw"}).json()["results"] == []
    response = client.get(API, {"q": "x" * 101})
    assert response.status_code == 400 and "q" in response.json()["detail"]


def test_the_till_search_is_for_the_till(store, cashier_user, other_store):
    assert api_client().get(API, {"q": "mug"}).status_code == 401
    assert api_client(cashier_user).get(API, {"q": "mug", "store": "BAS"}).status_code == 404
