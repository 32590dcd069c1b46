"""The shop's forgiving search (issue 16): typos and accents on the search page, "did you mean" and
popular categories on an empty result, the suggestions API of the search box."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from orders.models import OrderStatus
from tests.factories import UserFactory
from tests.storefront.storefront_data import Shop, _fresh_cache, paid_order  # noqa: F401

pytestmark = pytest.mark.django_db

SUGGEST = "/api/v1/store/suggest/"


@pytest.fixture
def shop(db):
    shop = Shop()
    shop.jam("Fig jam", name_fr="Confiture de figues", aja=3)
    shop.jam("Chestnut cream", name_fr="Crème de châtaigne", slug="creme")
    shop.tshirt("Moor's head tee", name_fr="T-shirt Tête de Maure", aja=2)
    shop.tshirt("Linen shirt", name_fr="Chemise en lin", slug="chemise")
    return shop


def text(response) -> str:
    return response.content.decode()


def card_names(response) -> list[str]:
    import re

    return re.findall(r'<span class="pcard__name">([^<]+)</span>', text(response))


@pytest.mark.parametrize(
    "typed, found",
    [
        ("chemse", "Chemise en lin"),
        ("confiture de fgues", "Confiture de figues"),
        ("tete de maure", "T-shirt Tête de Maure"),
        ("TÊTE-DE-MAURE", "T-shirt Tête de Maure"),
        ("creme de chataigne", "Crème de châtaigne"),
    ],
)
def test_the_search_page_forgives_typos_and_accents(client, shop, typed, found):
    response = client.get("/fr/search/", {"q": typed})

    assert response.status_code == 200
    assert card_names(response)[0] == found


def test_an_empty_result_offers_the_corrected_query_and_popular_categories(client, shop):
    buyer = UserFactory()
    paid_order(buyer, shop.tshirt("Sold tee", aja=1))  # clothing sold: the first popular category

    response = client.get("/en/search/", {"q": "chmsie"})

    body = text(response)
    assert response.status_code == 200 and card_names(response) == []
    assert "Nothing found for “chmsie”" in body
    assert 'Did you mean <a href="/en/search/?q=chemise" rel="nofollow">chemise</a>?' in body
    assert "Popular categories" in body
    popular = body.split("Popular categories", 1)[1]
    assert popular.index('href="/en/c/women-t-shirts/"') < popular.index('href="/en/c/local-food/"')


@pytest.mark.parametrize(
    "lang, did_you_mean, popular",
    [("fr", "Vouliez-vous dire", "Catégories populaires"), ("it", "Forse cercavi", "Categorie popolari")],
)
def test_the_empty_result_is_translated(client, shop, lang, did_you_mean, popular):
    body = text(client.get(f"/{lang}/search/", {"q": "chmsie"}))

    assert did_you_mean in body and popular in body


def test_nothing_near_means_no_correction_but_still_popular_categories(client, shop):
    body = text(client.get("/en/search/", {"q": "zzqxwv"}))

    assert "Did you mean" not in body and "Popular categories" in body


def test_the_empty_result_page_is_cached_for_anonymous_shoppers(client, shop, django_assert_max_num_queries):
    cache.clear()
    client.get("/en/search/", {"q": "chmsie"})
    with django_assert_max_num_queries(3):  # the session and the cart count at most: no search
        again = text(client.get("/en/search/", {"q": "chmsie"}))

    assert "Did you mean" in again and "Popular categories" in again


# --- suggestions -------------------------------------------------------------------------------------


def test_suggestions_json(client, shop):
    response = client.get(SUGGEST, {"q": "chemse", "lang": "fr"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=60"
    data = response.json()
    assert data["query"] == "chemse"
    assert data["search_url"] == "/fr/search/?q=chemse"
    assert data["products"][0] == {
        "name": "Chemise en lin",
        "url": "/fr/p/chemise/",
        "image": "",
        "price": "12,00\u00a0€",
    }
    assert set(data) == {"query", "search_url", "products", "categories"}


def test_suggestions_include_categories_in_the_shoppers_language(client, shop):
    data = client.get(SUGGEST, {"q": "epicerie", "lang": "fr"}).json()

    assert data["categories"] == [{"name": "Épicerie", "url": "/fr/c/local-food/"}]
    assert len(data["products"]) <= 6


def test_suggestions_cap_at_six_products(client, shop):
    for n in range(8):
        shop.jam(f"Honey {n}")

    assert len(client.get(SUGGEST, {"q": "honey"}).json()["products"]) == 6


def test_empty_query_suggests_nothing(client, shop):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get(SUGGEST, params)
        assert response.status_code == 200
        assert response.json()["products"] == [] and response.json()["categories"] == []


def test_too_long_or_bad_query_is_a_400_with_a_message(client, shop):
    response = client.get(SUGGEST, {"q": "a" * 101})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "q" in body["detail"]
    assert "100" in str(body["detail"]["q"])  # "Ensure this field has no more than 100 characters."
    assert client.get(SUGGEST, {"q": "fig", "lang": "de"}).status_code == 400


def test_suggestions_are_cached_for_anonymous_shoppers(client, shop, django_assert_max_num_queries):
    client.get(SUGGEST, {"q": "fig", "lang": "en"})
    with django_assert_max_num_queries(1):  # the session at most
        data = client.get(SUGGEST, {"q": "fig", "lang": "en"}).json()

    assert data["products"][0]["name"] == "Fig jam"


def test_suggestions_follow_a_price_change_for_signed_in_shoppers(client, shop):
    from catalog.models import Product

    client.force_login(UserFactory())
    assert client.get(SUGGEST, {"q": "fig", "lang": "en"}).json()["products"][0]["price"] == "€6.00"
    Product.objects.filter(name_en="Fig jam").update(base_price_ht=Decimal("10"))

    assert client.get(SUGGEST, {"q": "fig", "lang": "en"}).json()["products"][0]["price"] == "€12.00"


def test_popular_categories_count_units_of_paid_orders(shop):
    import datetime as dt

    from django.utils import timezone

    from orders.selectors import units_sold_by_category

    paid_order(UserFactory(), shop.tshirt("Sold tee"), status=OrderStatus.PAID)
    since = timezone.now() - dt.timedelta(days=1)

    assert units_sold_by_category(since=since, limit=3) == [(shop.tshirts.pk, 1)]
