"""Articles and pages in the admin: the add and change forms render, a save goes through the service
(a bad form writes nothing), the Markdown preview is staff-only and escapes HTML."""

from __future__ import annotations

import pytest
from django.urls import reverse

from content.models import Article, ArticleStatus, Page
from tests.content.blog_data import article, page
from tests.factories import UserFactory
from tests.storefront.storefront_data import Shop, _fresh_cache  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.mark.parametrize("name", ["article", "page"])
def test_the_add_and_change_forms_render(admin_client, name):
    obj = article("honey") if name == "article" else page("delivery")

    add = admin_client.get(reverse(f"admin:content_{name}_add"))
    change = admin_client.get(reverse(f"admin:content_{name}_change", args=[obj.pk]))
    listing = admin_client.get(reverse(f"admin:content_{name}_changelist"))

    assert add.status_code == 200 and change.status_code == 200 and listing.status_code == 200
    body = change.content.decode()
    assert 'name="body_fr"' in body and 'name="body_en"' in body and 'name="body_it"' in body
    assert "content/admin_preview.js" in body and "admin/js/translation_tabs.js" in body  # offline tabs
    shop_url = "/fr/blog/honey/" if name == "article" else "/fr/pages/delivery/"
    assert f'<a href="{shop_url}" target="_blank" rel="noopener">{shop_url}</a>' in listing.content.decode()


def _article_form(**changes) -> dict:
    data = {
        "title_fr": "Le miel",
        "title_en": "Honey",
        "title_it": "Il miele",
        "slug": "le-miel",
        "summary_fr": "",
        "summary_en": "",
        "summary_it": "",
        "body_fr": "Du **miel**.",
        "body_en": "Some **honey**.",
        "body_it": "",
        "status": "published",
        "published_at_0": "2026-01-15",
        "published_at_1": "10:00:00",
        "author_name": "Maria",
        "cover_alt_fr": "",
        "cover_alt_en": "",
        "cover_alt_it": "",
        "seo_title_fr": "",
        "seo_title_en": "",
        "seo_title_it": "",
        "seo_description_fr": "",
        "seo_description_en": "",
        "seo_description_it": "",
    }
    data.update(changes)
    return data


def test_adding_an_article_with_linked_products(admin_client, django_capture_on_commit_callbacks):
    shop = Shop()
    tee = shop.tshirt("Calvi tee", slug="calvi-tee")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:content_article_add"), _article_form(linked_products=[tee.pk])
        )

    assert response.status_code == 302
    saved = Article.objects.get()
    assert (saved.title_fr, saved.title_en, saved.status) == ("Le miel", "Honey", ArticleStatus.PUBLISHED)
    assert list(saved.linked_products.all()) == [tee]


def test_a_bad_article_form_writes_nothing_and_says_why(admin_client):
    response = admin_client.post(
        reverse("admin:content_article_add"), _article_form(title_fr="", slug="not a slug!", status="nope")
    )

    assert response.status_code == 200  # the admin shows the form again with its errors
    body = response.content.decode()
    assert "errornote" in body
    assert Article.objects.count() == 0


def test_publish_action(admin_client):
    draft = article("draft", status=ArticleStatus.DRAFT)

    admin_client.post(
        reverse("admin:content_article_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )

    draft.refresh_from_db()
    assert draft.status == ArticleStatus.PUBLISHED


def test_deleting_a_page_from_the_admin(admin_client):
    found = page("old")

    response = admin_client.post(reverse("admin:content_page_delete", args=[found.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Page.objects.exists()


def test_the_preview_renders_markdown_and_escapes_html(admin_client):
    response = admin_client.post(
        reverse("admin:content_article_preview"), {"text": "**Hi** <script>alert(1)</script>"}
    )

    assert response.status_code == 200
    assert response.json() == {"html": "<p><strong>Hi</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"}


def test_the_preview_refuses_a_huge_text_with_a_message(admin_client):
    response = admin_client.post(reverse("admin:content_page_preview"), {"text": "x" * 200_001})

    assert response.status_code == 400
    assert response.json() == {"message": "Text too long to preview."}


def test_the_preview_is_for_staff_only_and_post_only(client, admin_client):
    url = reverse("admin:content_article_preview")
    client.force_login(UserFactory())

    assert client.post(url, {"text": "x"}).status_code == 302  # to the admin's sign-in
    assert admin_client.get(url).status_code == 405
