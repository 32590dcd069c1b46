"""The demo's blog (demo.seed.content): pages for the footer, three articles in three languages
linking products of their categories, covers written to the default storage; a second run adds nothing."""

import pytest

from catalog.models import Category
from content.models import Article, ArticleStatus, Page
from demo.seed import content as content_demo
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_the_demo_blog(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    honey = Category.objects.create(slug="honey-jams", name_fr="Miels", name_en="Honey", name_it="Miele")
    jars = [ProductFactory(category=honey, name_fr=f"Miel {i}") for i in range(5)]
    ProductFactory(category=honey, is_published=False)

    assert content_demo.seed() == 5
    assert content_demo.seed() == 0

    assert list(Page.objects.filter(in_footer=True).values_list("slug", flat=True)) == [
        "livraison-et-retours",
        "mentions-legales",
    ]
    articles = list(Article.objects.all())
    assert len(articles) == 3
    assert all(a.status == ArticleStatus.PUBLISHED and a.is_public for a in articles)
    assert all(a.title_fr and a.title_en and a.title_it and a.body_it for a in articles)
    assert all((tmp_path / a.cover_image.name).stat().st_size > 5_000 for a in articles)
    first = Article.objects.get(slug="le-miel-de-corse-aoc")
    assert list(first.linked_products.order_by("pk")) == jars[:4]
    body = client.get("/it/blog/").content.decode()
    assert "Il miele di Corsica, sei stagioni in un vasetto" in body
    assert client.get("/en/pages/mentions-legales/").status_code == 200
