"""A shopper on a phone (390x844) reads a blog article in French: the demo's honey article (cover
image, Markdown body, linked products as cards), served by uvicorn in another process on PostgreSQL.

Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshot into docs/screenshots/shop-blog-article.png.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from content.models import Article
from demo.seed import content as content_demo
from tests.storefront.storefront_data import Shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def blog_server(transactional_db, tmp_path, settings):
    """uvicorn on the test database, with MEDIA_ROOT in tmp_path (the covers the seed writes)."""
    from bench._common import AsgiServer, child_env, database_url

    settings.MEDIA_ROOT = tmp_path
    env = child_env(
        DATABASE_URL=database_url(settings.DATABASES["default"]),
        REDIS_URL=settings.REDIS_URL,
        DB_CONN_MAX_AGE="0",
        DJANGO_ALLOW_ASYNC_UNSAFE=None,
        MEDIA_ROOT=str(tmp_path),
        DJANGO_DEBUG="1",  # serves /media/ (config.urls)
    )
    server = AsgiServer(env=env)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def seed() -> str:
    shop = Shop()
    jams = [
        shop.jam("Chestnut honey", name_fr="Miel de châtaigneraie AOP", price="9.0000", aja=4),
        shop.jam("Spring honey", name_fr="Miel de printemps AOP", price="8.0000", aja=2),
        shop.jam("Fig jam", name_fr="Confiture de figues", price="5.5000"),
    ]
    assert content_demo.seed() == 5
    honey = Article.objects.get(slug="le-miel-de-corse-aoc")
    honey.linked_products.set(jams)
    return honey.slug


def test_a_french_article_on_a_phone(blog_server, chromium_browser, in_thread, tmp_path):
    slug = in_thread(seed)
    context = chromium_browser.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{blog_server.base_url}/fr/blog/")
        page.get_by_role("link", name="Le miel de Corse, six saisons en un pot").click()
        expect(page).to_have_url(f"{blog_server.base_url}/fr/blog/{slug}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Le miel de Corse, six saisons en un pot")
        expect(page.locator(".article__body h2")).to_have_text("Lequel choisir ?")
        expect(page.locator(".pcard__name")).to_have_text(
            ["Confiture de figues", "Miel de châtaigneraie AOP", "Miel de printemps AOP"]
        )
        expect(page.locator(".shop-footer__links")).to_contain_text("Livraison et retours")
        cover = page.locator("img.article__cover")
        cover.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('img.article__cover').naturalWidth > 0")
        ld = json.loads(page.locator('script[type="application/ld+json"]').text_content())
        assert ld["@type"] == "Article" and ld["inLanguage"] == "fr"
        assert ld["author"] == {"@type": "Person", "name": "Laetitia Santoni"}
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.evaluate("window.scrollTo(0, 0)")
        path = tmp_path / "shop-blog-article.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5_000
        if os.environ.get("UPDATE_SCREENSHOTS"):
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS / "shop-blog-article.png")
    finally:
        context.close()


@pytest.mark.real_passwords  # the editor signs in to the server in a child process
def test_the_admin_previews_markdown_as_the_editor_types(blog_server, chromium_browser, in_thread):
    from tests.factories import staff

    in_thread(lambda: staff(email="editor@example.com"))
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{blog_server.base_url}/admin/login/?next=/admin/content/article/add/")
        page.fill("#id_username", "editor@example.com")
        page.fill("#id_password", "pass-1234-word")  # UserFactory's
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{blog_server.base_url}/admin/content/article/add/")
        page.get_by_role("tab", name="Français").first.click()  # the admin opens on its own language's tab
        page.fill("#id_body_fr", "Du **miel** <script>alert(1)</script>")
        preview = page.locator("#id_body_fr + .md-preview .md-preview__body")
        expect(preview.locator("strong")).to_have_text("miel")
        expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text, not run
        assert preview.locator("script").count() == 0
    finally:
        context.close()
