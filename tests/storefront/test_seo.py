"""SEO: title, meta, canonical, hreflang, JSON-LD, sitemap (every product, category, language), robots."""

import json
import re

import pytest

from tests.factories import UserFactory
from tests.storefront.storefront_data import (  # noqa: F401
    Shop,
    _fresh_cache,
    approved_review,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return Shop()


def json_ld(body: str) -> list[dict]:
    return [
        json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    ]


def test_product_page_head(client, shop):
    product = shop.tshirt("Calvi tee", aja=3, slug="calvi-tee")

    body = client.get("/en/p/calvi-tee/").content.decode()

    assert "<title>Calvi tee · Maison Corsica</title>" in body
    assert '<meta name="description" content="Calvi tee, soft cotton.">' in body
    assert '<link rel="canonical" href="http://testserver/en/p/calvi-tee/">' in body
    for code in ("fr", "en", "it"):
        assert (
            f'<link rel="alternate" hreflang="{code}" href="http://testserver/{code}/p/calvi-tee/">' in body
        )
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/fr/p/calvi-tee/">' in body
    assert product.slug == "calvi-tee"


def test_product_json_ld_has_offers_rating_and_breadcrumbs(client, shop):
    product = shop.tshirt("Calvi tee", aja=3, slug="calvi-tee")
    approved_review(product, UserFactory(), 5)
    approved_review(product, UserFactory(), 4)

    product_ld, breadcrumbs = json_ld(client.get("/en/p/calvi-tee/").content.decode())

    assert product_ld["@type"] == "Product" and product_ld["name"] == "Calvi tee"
    assert product_ld["offers"] == [
        {
            "@type": "Offer",
            "sku": "CALVI-TEE-S-RED",
            "price": "12.00",
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock",
            "url": "http://testserver/en/p/calvi-tee/?sku=CALVI-TEE-S-RED",
        },
        {
            "@type": "Offer",
            "sku": "CALVI-TEE-M-BLUE",
            "price": "12.00",
            "priceCurrency": "EUR",
            "availability": "https://schema.org/OutOfStock",
            "url": "http://testserver/en/p/calvi-tee/?sku=CALVI-TEE-M-BLUE",
        },
    ]
    assert product_ld["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.5",
        "reviewCount": 2,
        "bestRating": "5",
        "worstRating": "1",
    }
    assert [item["name"] for item in breadcrumbs["itemListElement"]] == [
        "Clothing",
        "Women",
        "T-shirts",
        "Calvi tee",
    ]
    assert breadcrumbs["itemListElement"][0]["item"] == "http://testserver/en/c/clothing/"


def test_no_aggregate_rating_without_reviews(client, shop):
    shop.tshirt("Calvi tee", slug="calvi-tee")

    product_ld, _ = json_ld(client.get("/en/p/calvi-tee/").content.decode())

    assert "aggregateRating" not in product_ld


def test_json_ld_cannot_break_out_of_its_script(client, shop):
    shop.tshirt("Calvi </script><script>alert(1)</script> tee", slug="evil")

    body = client.get("/en/p/evil/").content.decode()

    assert "<script>alert(1)" not in body
    assert json_ld(body)[0]["name"] == "Calvi </script><script>alert(1)</script> tee"


def test_category_head_and_filtered_pages_are_noindex(client, shop):
    shop.tshirt("Calvi tee")

    plain = client.get("/it/c/clothing/").content.decode()
    filtered = client.get("/it/c/clothing/?size=s").content.decode()

    assert "<title>Clothing IT · Maison Corsica</title>" in plain
    assert '<link rel="canonical" href="http://testserver/it/c/clothing/">' in plain
    assert "noindex" not in plain
    assert '<meta name="robots" content="noindex, follow">' in filtered
    assert '<link rel="canonical" href="http://testserver/it/c/clothing/">' in filtered


def test_search_pages_are_noindex(client, shop):
    assert (
        '<meta name="robots" content="noindex, follow">' in client.get("/en/search/?q=tee").content.decode()
    )


def test_sitemap_lists_every_published_product_and_category_in_every_language(client, shop):
    shop.tshirt("Calvi tee", slug="calvi-tee")
    shop.tshirt("Hidden tee", slug="hidden-tee", is_published=False)

    index = client.get("/sitemap.xml")
    products = client.get("/sitemap-products.xml").content.decode()
    categories = client.get("/sitemap-categories.xml").content.decode()

    assert index.status_code == 200
    assert "http://testserver/sitemap-products.xml" in index.content.decode()
    assert "http://testserver/sitemap-categories.xml" in index.content.decode()
    locs = re.findall(r"<loc>(.*?)</loc>", products)
    assert sorted(locs) == [f"http://testserver/{lang}/p/calvi-tee/" for lang in ("en", "fr", "it")]
    assert 'hreflang="x-default"' in products
    category_locs = re.findall(r"<loc>(.*?)</loc>", categories)
    assert len(category_locs) == 4 * 3 and "http://testserver/it/c/local-food/" in category_locs


def test_sitemap_queries_do_not_grow_with_the_catalog(client, shop, django_assert_max_num_queries):
    for i in range(10):
        shop.tshirt(f"Tee {i}")

    with django_assert_max_num_queries(2):
        assert client.get("/sitemap-products.xml").status_code == 200


def test_robots_txt(client):
    response = client.get("/robots.txt")

    body = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in body
    for line in ("Disallow: /admin/", "Disallow: /api/", "Disallow: /fr/cart/", "Disallow: /en/checkout/"):
        assert line in body
    assert "Disallow: /it/account/" in body
