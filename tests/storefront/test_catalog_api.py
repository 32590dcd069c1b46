"""Public catalog API: list with filters and pages, detail by slug or SKU, bad input, query pins, schema."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from accounts.models import CustomerGroup, CustomerProfile
from pricing.models import CurrencyRate, PriceList, PriceListEntry
from tests.core.api_helpers import api_client
from tests.factories import UserFactory
from tests.storefront.storefront_data import Shop, _fresh_cache, variant  # noqa: F401

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"


@pytest.fixture
def shop(db):
    return Shop()


@pytest.fixture
def anon():
    return api_client()


def slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


def test_anonymous_list_with_prices_stock_and_rating(anon, shop):
    shop.tshirt("Calvi tee", slug="calvi", aja=2)
    shop.jam("Fig jam", slug="fig")

    response = anon.get(PRODUCTS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["results"][0] == {
        "slug": "calvi",
        "name": "Calvi tee",
        "category": "women-t-shirts",
        "brand": "",
        "url": "/en/p/calvi/",
        "price": {
            "gross": "12.00",
            "net": "10.00",
            "base_gross": "12.00",
            "currency": "EUR",
            "price_list": None,
        },
        "in_stock": True,
        "rating": None,
        "review_count": 0,
        "image": "",
    }
    assert body["results"][1]["slug"] == "fig" and body["results"][1]["in_stock"] is False


def test_filters(anon, shop):
    shop.tshirt("Calvi tee", slug="calvi", aja=2, price="10.0000")
    shop.tshirt("Bastia tee", slug="bastia", bas=2, price="30.0000")
    shop.jam("Fig jam", slug="fig", aja=1)

    assert slugs(anon.get(PRODUCTS, {"category": "clothing"})) == ["bastia", "calvi"]
    assert slugs(anon.get(PRODUCTS, {"in_stock_at": "BAS"})) == ["bastia"]
    assert slugs(anon.get(PRODUCTS, {"min_price": "20", "max_price": "40"})) == ["bastia"]
    assert slugs(anon.get(PRODUCTS, {"q": "fig"})) == ["fig"]
    assert slugs(anon.get(PRODUCTS, {"sort": "price_desc"})) == ["bastia", "calvi", "fig"]


def test_pages(anon, shop):
    for i in range(5):
        shop.tshirt(f"Tee {i}", slug=f"tee-{i}")

    body = anon.get(PRODUCTS, {"limit": 2, "offset": 2}).json()

    assert body["count"] == 5 and [r["slug"] for r in body["results"]] == ["tee-2", "tee-3"]
    assert "offset=4" in body["next"]


def test_currency_and_b2b_prices(shop):
    shop.tshirt("Calvi tee", slug="calvi")
    CurrencyRate.objects.create(currency="CHF", rate=Decimal("0.950000"))
    group = CustomerGroup.objects.create(code="hotels", name="Hotels", is_b2b=True)
    price_list = PriceList.objects.create(code="hotels", name="Hotels", customer_group=group)
    PriceListEntry.objects.create(
        price_list=price_list, variant=variant("CALVI-S-RED"), price_ht=Decimal("8.0000")
    )
    user = UserFactory()
    CustomerProfile.objects.create(user=user, group=group)

    anonymous = api_client().get(PRODUCTS, {"currency": "CHF"}).json()["results"][0]["price"]
    b2b = api_client(user).get(PRODUCTS).json()["results"][0]["price"]

    assert anonymous == {
        "gross": "11.40",
        "net": "9.50",
        "base_gross": "11.40",
        "currency": "CHF",
        "price_list": None,
    }
    assert b2b == {
        "gross": "9.60",
        "net": "8.00",
        "base_gross": "12.00",
        "currency": "EUR",
        "price_list": "hotels",
    }


def test_detail_by_slug_and_by_sku(anon, shop):
    shop.tshirt("Calvi tee", slug="calvi", aja=3, bas=1)

    by_slug = anon.get(f"{PRODUCTS}calvi/")
    by_sku = anon.get(f"{PRODUCTS}CALVI-M-BLUE/")

    assert by_slug.status_code == 200 and by_sku.json() == by_slug.json()
    body = by_slug.json()
    assert body["breadcrumbs"] == ["clothing", "women", "women-t-shirts"]
    assert [v["sku"] for v in body["variants"]] == ["CALVI-S-RED", "CALVI-M-BLUE"]
    red = body["variants"][0]
    assert red["options"] == {"size": "s", "color": "red"}
    assert red["available"] == 4
    assert red["availability"] == [
        {"location": "AJA", "name": "Ajaccio", "kind": "store", "available": 3},
        {"location": "BAS", "name": "Bastia", "kind": "store", "available": 1},
    ]
    assert "on_hand" not in str(body) and "reserved" not in str(body)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"min_price": "abc"}, "min_price"),
        ({"max_price": "-1"}, "max_price"),
        ({"min_price": "50", "max_price": "10"}, "min_price"),  # 400 invalid_price_range
        ({"sort": "random"}, "sort"),
        ({"currency": "JPY"}, "currency"),
        ({"limit": "x"}, "limit"),
        ({"sort": ""}, "sort"),
        ({"offset": "null"}, "offset"),
    ],
)
def test_bad_query_is_a_400_in_the_error_format(anon, shop, params, field):
    shop.tshirt("Calvi tee")

    response = anon.get(PRODUCTS, params)

    assert response.status_code == 400
    body = response.json()
    expected = "invalid_price_range" if "max_price" in params and "min_price" in params else "invalid"
    assert body["code"] == expected and field in body["detail"]


def test_unknown_location_category_and_product(anon, shop):
    shop.tshirt("Calvi tee", slug="calvi")

    store = anon.get(PRODUCTS, {"in_stock_at": "XXX"})
    category = anon.get(PRODUCTS, {"category": "nope"})
    product = anon.get(f"{PRODUCTS}nope/")

    assert store.status_code == 404 and store.json()["message"] == "Unknown location XXX."
    assert store.json()["code"] == "unknown_location"
    assert category.status_code == 404 and category.json()["code"] == "not_found"
    assert product.status_code == 404 and product.json()["message"] == "No published product nope."


def test_unpublished_products_are_not_in_the_api(anon, shop):
    shop.tshirt("Hidden tee", slug="hidden", is_published=False)

    assert anon.get(PRODUCTS).json()["count"] == 0
    assert anon.get(f"{PRODUCTS}hidden/").status_code == 404


def test_the_api_is_read_only(anon, shop):
    shop.tshirt("Calvi tee", slug="calvi")

    assert anon.post(PRODUCTS, {}, format="json").status_code in (401, 403, 405)
    assert anon.delete(f"{PRODUCTS}calvi/").status_code in (401, 403, 405)


@pytest.mark.parametrize("url", [PRODUCTS, f"{PRODUCTS}?q=tee", f"{PRODUCTS}tee-1/"])
def test_query_count_does_not_grow_with_the_catalog(anon, shop, django_assert_max_num_queries, url):
    counts = []
    for batch in (5, 25):
        for _ in range(batch):
            shop.tshirt(f"Tee {shop._n}", aja=1)
        cache.clear()
        with django_assert_max_num_queries(10) as captured:
            assert anon.get(url).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1]


def test_documented_in_the_openapi_schema(anon):
    schema = anon.get("/api/schema/?format=json").json()

    assert "/api/v1/catalog/products/" in schema["paths"]
    assert "/api/v1/catalog/products/{key}/" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/catalog/products/"]["get"]["parameters"]}
    assert {"category", "q", "in_stock_at", "min_price", "max_price", "limit", "offset"} <= params
