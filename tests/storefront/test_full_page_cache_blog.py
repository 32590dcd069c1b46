"""The blog's pages and its RSS feed served whole from the cache for anonymous visitors
(storefront.middleware.FullPageCacheMiddleware), and forgotten as soon as ``content.changed`` (an
article or page saved or deleted) or, for an article, one of its linked products changes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from content import services
from content.models import Article, ArticleStatus
from inventory import services as stock
from tests.content.blog_data import article, page
from tests.factories import UserFactory, staff
from tests.storefront.storefront_data import Shop, _fresh_cache, variant  # noqa: F401

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PATHS = ["/en/blog/", "/en/blog/maquis-honey/", "/en/pages/delivery/", "/en/blog/feed/", "/fr/blog/"]


@pytest.fixture
def shop(db):
    return Shop()


@pytest.fixture
def blog(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tee = shop.tshirt("Calvi tee", aja=3)
        article("maquis-honey", title="Maquis honey", products=[tee])
        page("delivery", title="Delivery")
    return tee


@pytest.mark.parametrize("path", PATHS)
def test_the_second_visit_runs_no_view_no_query_no_template(client, blog, path, django_assert_num_queries):
    first = client.get(path)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):
        hit = client.get(path)

    assert hit.status_code == 200 and hit["X-Page-Cache"] == "hit"
    assert hit.templates == []
    assert TOKEN.sub("", hit.content.decode()) == TOKEN.sub("", first.content.decode())  # same but the token
    assert hit["Content-Type"] == first["Content-Type"]
    assert "__FULLPAGE_CSRF__" not in hit.content.decode()


def test_the_feed_is_kept_as_rss(client, blog):
    client.get("/en/blog/feed/")
    hit = client.get("/en/blog/feed/")
    assert hit["X-Page-Cache"] == "hit" and hit["Content-Type"].startswith("application/rss+xml")
    assert "<title>Maquis honey</title>" in hit.content.decode()


def test_each_visitor_gets_their_own_csrf_token_on_a_cached_article(blog):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    missed = first.get("/en/blog/maquis-honey/")
    hit = second.get("/en/blog/maquis-honey/")
    assert hit["X-Page-Cache"] == "hit"

    mine, theirs = set(TOKEN.findall(hit.content.decode())), set(TOKEN.findall(missed.content.decode()))
    assert len(mine) == 1 and mine != theirs  # the language/currency switches carry this visitor's token
    switched = second.post("/en/currency/", {"currency": "EUR", "csrfmiddlewaretoken": mine.pop()})
    assert switched.status_code in (302, 303)


@pytest.mark.parametrize(
    "path", ["/en/blog/", "/en/blog/maquis-honey/", "/en/pages/delivery/", "/en/blog/feed/"]
)
def test_an_edited_article_or_page_shows_at_once(client, blog, path, django_capture_on_commit_callbacks):
    client.get(path)
    assert client.get(path)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):  # content.changed, after commit
        found = Article.objects.get(slug="maquis-honey")
        found.title_en = "Maquis honey, the new harvest"
        services.save_article(article=found)

    after = client.get(path)
    assert after["X-Page-Cache"] == "miss"
    assert client.get(path)["X-Page-Cache"] == "hit"


def test_a_new_article_appears_in_the_list_and_the_feed(client, blog, django_capture_on_commit_callbacks):
    client.get("/en/blog/")
    client.get("/en/blog/feed/")

    with django_capture_on_commit_callbacks(execute=True):
        article("chestnut-flour", title="Chestnut flour")

    assert "Chestnut flour" in client.get("/en/blog/").content.decode()
    assert "<title>Chestnut flour</title>" in client.get("/en/blog/feed/").content.decode()


def test_an_unpublished_article_is_gone_at_once(client, blog, django_capture_on_commit_callbacks):
    assert client.get("/en/blog/maquis-honey/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        found = Article.objects.get(slug="maquis-honey")
        found.status = ArticleStatus.DRAFT
        services.save_article(article=found)

    assert client.get("/en/blog/maquis-honey/").status_code == 404


def test_a_linked_product_changing_refreshes_the_article(
    client, blog, shop, django_capture_on_commit_callbacks
):
    client.get("/en/blog/maquis-honey/")
    assert client.get("/en/blog/maquis-honey/")["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        # the last 3: the card's "in stock" flips, the listing version moves
        stock.sell_stock(variant=variant("TEE-1-S-RED"), location=shop.aja, quantity=3, reference="S-1")

    assert client.get("/en/blog/maquis-honey/")["X-Page-Cache"] == "miss"


def test_the_signed_in_and_staff_are_never_served_a_stored_page(client, blog):
    Client().get("/en/blog/maquis-honey/")
    client.force_login(UserFactory(email="ana@example.com"))
    assert "X-Page-Cache" not in client.get("/en/blog/maquis-honey/")

    editor = Client()
    editor.force_login(staff())
    assert "X-Page-Cache" not in editor.get("/en/blog/maquis-honey/")


def test_a_missing_article_is_never_stored(client, blog):
    assert client.get("/en/blog/nothing-here/").status_code == 404
    again = client.get("/en/blog/nothing-here/")
    assert again.status_code == 404 and "X-Page-Cache" not in again
