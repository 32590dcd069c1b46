"""The blog and the simple pages on the storefront: list and pagination, an article (JSON-LD, linked
products, escaped HTML), drafts, pages and the footer, the RSS feed, the sitemap."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from content import services
from content.models import Article, ArticleStatus
from storefront import cache as page_cache
from tests.content.blog_data import article, page
from tests.factories import staff
from tests.storefront.storefront_data import Shop, _fresh_cache  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return Shop()


def json_ld(body: str) -> list[dict]:
    return [
        json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    ]


def titles(body: str) -> list[str]:
    return re.findall(r'<span class="blog-card__title">(.*?)</span>', body)


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_shows_public_articles_newest_first_twelve_a_page(client, django_assert_max_num_queries):
    for i in range(13):
        article(f"story-{i:02d}", title=f"Story {i:02d}", days_ago=20 - i)
    article("a-draft", title="A draft", status=ArticleStatus.DRAFT)
    article("tomorrow", title="Tomorrow", days_ago=-1)

    with django_assert_max_num_queries(5):  # count, page; cold caches: footer pages, menu, currencies
        first = client.get("/en/blog/")
    second = client.get("/en/blog/?page=2")

    assert first.status_code == 200 and second.status_code == 200
    assert titles(first.content.decode()) == [f"Story {i:02d}" for i in range(12, 0, -1)]
    assert titles(second.content.decode()) == ["Story 00"]
    body = first.content.decode()
    assert "Page 1 of 2" in body and 'rel="next" href="/en/blog/?page=2"' in body
    assert '<link rel="canonical" href="http://testserver/en/blog/">' in body
    assert '<link rel="alternate" hreflang="it" href="http://testserver/it/blog/">' in body
    assert 'type="application/rss+xml"' in body
    assert 'rel="prev" href="/en/blog/"' in second.content.decode()


def test_the_list_is_in_the_pages_language(client):
    article("honey", title="Honey", title_fr="Le miel", title_it="Il miele")

    assert titles(client.get("/fr/blog/").content.decode()) == ["Le miel"]
    assert titles(client.get("/it/blog/").content.decode()) == ["Il miele"]


def test_a_page_past_the_end_shows_the_last_page_as_product_listings_do(client):
    article("only-one", title="Only one")

    response = client.get("/en/blog/?page=99")

    assert response.status_code == 200
    assert titles(response.content.decode()) == ["Only one"]


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5", "999999999"])
def test_a_page_number_that_is_not_one_is_a_400_with_a_message(client, bad):
    response = client.get(f"/en/blog/?page={bad}")

    assert response.status_code == 400
    assert "The page number must be a whole number from 1." in response.content.decode()


def test_an_empty_blog_says_so(client):
    response = client.get("/en/blog/")

    assert response.status_code == 200
    assert "No article yet" in response.content.decode()


# --- an article -------------------------------------------------------------------------------------


def test_article_page_shows_body_linked_products_and_seo_head(client, shop, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tee = shop.tshirt("Calvi tee", aja=3, slug="calvi-tee")
    jam = shop.jam("Fig jam", slug="fig-jam")
    hidden = shop.tshirt("Hidden tee", slug="hidden-tee", is_published=False)
    found = article(
        "corsican-honey",
        title="Corsican honey",
        author_name="Laetitia Santoni",
        seo_description="Six seasons in a jar.",
        cover_image=SimpleUploadedFile("cover.png", png(), content_type="image/png"),
        products=[tee, jam, hidden],
    )

    response = client.get("/en/blog/corsican-honey/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Corsican honey · Maison Corsica</title>" in body
    assert '<meta name="description" content="Six seasons in a jar.">' in body
    assert "<h2>Corsican honey</h2>" in body and "Some <strong>bold</strong> text." in body
    assert '<link rel="canonical" href="http://testserver/en/blog/corsican-honey/">' in body
    for code in ("fr", "en", "it"):
        assert (
            f'<link rel="alternate" hreflang="{code}" href="http://testserver/{code}/blog/corsican-honey/">'
            in body
        )
    assert (
        '<link rel="alternate" hreflang="x-default" href="http://testserver/fr/blog/corsican-honey/">' in body
    )
    cards = re.findall(r'<span class="pcard__name">(.*?)</span>', body)
    assert cards == ["Calvi tee", "Fig jam"]  # by name; the unpublished one is left out
    assert 'href="/en/p/calvi-tee/"' in body and "12,00" in body.replace("12.00", "12,00")
    assert "draft-banner" not in body and "noindex" not in body

    (ld,) = json_ld(body)
    found.refresh_from_db()
    assert ld == {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": "Corsican honey",
        "description": "Six seasons in a jar.",
        "datePublished": found.published_at.isoformat(),
        "dateModified": found.updated_at.isoformat(),
        "inLanguage": "en",
        "mainEntityOfPage": {"@type": "WebPage", "@id": "http://testserver/en/blog/corsican-honey/"},
        "url": "http://testserver/en/blog/corsican-honey/",
        "publisher": {"@type": "Organization", "name": "Maison Corsica"},
        "author": {"@type": "Person", "name": "Laetitia Santoni"},
        "image": [f"http://testserver{found.cover_image.url}"],
    }
    assert found.cover_image.url.startswith("/media/blog/")


def test_the_article_is_in_the_urls_language(client):
    article("honey", title="Honey", title_fr="Le miel", body_fr="Du **miel**.")

    body = client.get("/fr/blog/honey/").content.decode()

    assert "<h1>Le miel</h1>" in body and "Du <strong>miel</strong>." in body
    assert json_ld(body)[0]["inLanguage"] == "fr"


def test_html_typed_in_a_body_comes_out_escaped(client):
    article(
        "xss", title="Hello <b>you</b>", body_en='Hi <script>alert("x")</script> <img src=x onerror=alert(1)>'
    )

    body = client.get("/en/blog/xss/").content.decode()

    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "<h1>Hello &lt;b&gt;you&lt;/b&gt;</h1>" in body
    ld = json_ld(body)[0]  # the title in the JSON-LD cannot close its script element either
    assert ld["headline"] == "Hello <b>you</b>"


def test_article_page_query_count_does_not_grow_with_its_products(
    client, shop, django_assert_max_num_queries
):
    products = [shop.tshirt(f"Tee {i}", aja=1) for i in range(8)]
    article("many", products=products)
    client.get("/en/blog/many/")  # the footer and the menu warm their cache

    with django_assert_max_num_queries(8):
        response = client.get("/en/blog/many/")

    assert len(re.findall(r'class="pcard"', response.content.decode())) == 8


def test_the_body_html_is_cached_per_version(client, django_capture_on_commit_callbacks):
    found = article("cached", body_en="First **version**.")
    assert "First <strong>version</strong>." in client.get("/en/blog/cached/").content.decode()

    found.body_en = "Second **version**."
    with django_capture_on_commit_callbacks(execute=True):  # content.changed goes out after commit
        services.save_article(article=found)

    assert "Second <strong>version</strong>." in client.get("/en/blog/cached/").content.decode()


@pytest.mark.parametrize(
    "path", ["/en/blog/no-such-article/", "/en/pages/no-such-page/", "/en/blog/Bad%20Slug/"]
)
def test_an_unknown_slug_is_a_404(client, path):
    response = client.get(path)

    assert response.status_code == 404


# --- drafts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status,days_ago", [(ArticleStatus.DRAFT, 1), (ArticleStatus.PUBLISHED, -2)])
def test_drafts_and_future_articles_are_404_for_the_public_and_shown_to_staff(client, status, days_ago):
    article("not-yet", title="Not yet", status=status, days_ago=days_ago)

    public = client.get("/en/blog/not-yet/")
    shopper_list = client.get("/en/blog/")
    client.force_login(staff())
    seen = client.get("/en/blog/not-yet/")

    assert public.status_code == 404
    assert titles(shopper_list.content.decode()) == []
    assert seen.status_code == 200
    body = seen.content.decode()
    assert '<p class="draft-banner" role="status">Draft: only staff can see this article' in body
    assert '<meta name="robots" content="noindex">' in body


def test_a_signed_in_shopper_does_not_see_drafts(client):
    from tests.factories import UserFactory

    article("secret", status=ArticleStatus.DRAFT)
    client.force_login(UserFactory())

    assert client.get("/en/blog/secret/").status_code == 404


# --- pages and the footer ---------------------------------------------------------------------------


def test_a_page_and_the_footer_links(client):
    page("legal-notice", title="Legal notice", in_footer=True, position=20, body_en="**Maison Corsica SAS**")
    page("delivery", title="Delivery and returns", in_footer=True, position=10)
    page("about", title="About us")  # not in the footer
    page("old", title="Old page", in_footer=True, is_published=False)

    response = client.get("/en/pages/legal-notice/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Legal notice</h1>" in body and "<strong>Maison Corsica SAS</strong>" in body
    footer = body[body.index('<ul class="shop-footer__links">') :]
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', footer)
    assert links == [
        ("/en/blog/", "Blog"),
        ("/en/pages/delivery/", "Delivery and returns"),
        ("/en/pages/legal-notice/", "Legal notice"),
    ]
    assert client.get("/en/pages/about/").status_code == 200
    assert client.get("/en/pages/old/").status_code == 404


def test_the_footer_follows_a_change_at_once(client, django_capture_on_commit_callbacks):
    legal = page("legal", title="Legal", in_footer=True)
    assert "/en/pages/legal/" in client.get("/en/blog/").content.decode()  # cached now

    legal.in_footer = False
    with django_capture_on_commit_callbacks(execute=True):
        services.save_page(page=legal)

    assert "/en/pages/legal/" not in client.get("/en/blog/").content.decode()


def test_a_content_change_forgets_every_cached_shop_page(django_capture_on_commit_callbacks):
    before = page_cache.read_versions(["global"])

    with django_capture_on_commit_callbacks(execute=True):
        page("delivery", in_footer=True)

    assert page_cache.read_versions(["global"]) == [before[0] + 1]


def test_a_draft_page_is_shown_to_staff_with_a_banner(client):
    page("soon", title="Soon", is_published=False)
    client.force_login(staff())

    body = client.get("/en/pages/soon/").content.decode()

    assert "Draft: only staff can see this page." in body


# --- the feed ---------------------------------------------------------------------------------------


def test_the_feed_lists_public_articles_in_the_urls_language(client):
    article(
        "honey", title="Honey", title_fr="Le miel", summary_fr="Six saisons.", author_name="Maria", days_ago=1
    )
    article("cheese", title="Cheese", title_fr="Le fromage", days_ago=2)
    article("draft", status=ArticleStatus.DRAFT)
    article("future", days_ago=-3)

    fr = client.get("/fr/blog/feed/")
    en = client.get("/en/blog/feed/")

    assert fr.status_code == 200 and fr["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(fr.content).find("channel")
    assert channel.findtext("language") == "fr"
    assert channel.findtext("link") == "http://testserver/fr/blog/"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Le miel", "Le fromage"]
    assert [i.findtext("link") for i in items] == [
        "http://testserver/fr/blog/honey/",
        "http://testserver/fr/blog/cheese/",
    ]
    assert items[0].findtext("description") == "Six saisons."
    en_channel = ET.fromstring(en.content).find("channel")
    assert en_channel.findtext("language") == "en"
    assert [i.findtext("title") for i in en_channel.findall("item")] == ["Honey", "Cheese"]


# --- the sitemap ------------------------------------------------------------------------------------


def test_the_sitemap_lists_public_articles_and_pages_with_hreflang(client):
    article("honey")
    article("draft", status=ArticleStatus.DRAFT)
    article("future", days_ago=-1)
    page("delivery")
    page("hidden", is_published=False)

    index = client.get("/sitemap.xml").content.decode()
    articles = client.get("/sitemap-articles.xml").content.decode()
    pages = client.get("/sitemap-pages.xml").content.decode()

    assert (
        "http://testserver/sitemap-articles.xml" in index and "http://testserver/sitemap-pages.xml" in index
    )
    assert sorted(re.findall(r"<loc>(.*?)</loc>", articles)) == [
        f"http://testserver/{lang}/blog/honey/" for lang in ("en", "fr", "it")
    ]
    for code in ("fr", "en", "it"):
        assert (
            f'<xhtml:link rel="alternate" hreflang="{code}" href="http://testserver/{code}/blog/honey/"/>'
            in articles
        )
    assert (
        '<xhtml:link rel="alternate" hreflang="x-default" href="http://testserver/blog/honey/"/>' in articles
    )  # as products
    assert "<lastmod>" in articles
    assert sorted(re.findall(r"<loc>(.*?)</loc>", pages)) == [
        f"http://testserver/{lang}/pages/delivery/" for lang in ("en", "fr", "it")
    ]


def test_an_article_becomes_public_when_its_date_comes(client):
    found = article("scheduled", days_ago=-1)
    assert client.get("/en/blog/scheduled/").status_code == 404

    Article.objects.filter(pk=found.pk).update(published_at=timezone.now() - timedelta(minutes=1))

    assert client.get("/en/blog/scheduled/").status_code == 200
