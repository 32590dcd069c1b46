"""Articles and pages in the admin: tabs per language, Markdown with a live preview.

The preview (``<model>/preview/``, staff with the change permission, POST) renders a body with the
same ``content.markdown`` the shop uses; ``static/content/admin_preview.js`` shows it under each body
field as the editor types. Saves and deletes go through ``content.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.admin_translation import TabbedTranslationAdmin

from . import services
from .markdown import render_markdown
from .models import Article, ArticleStatus, Page

PREVIEW_MAX_CHARS = 200_000


PREVIEW_MEDIA = {"js": ["content/admin_preview.js"], "css": {"all": ["content/admin_preview.css"]}}


class MarkdownPreviewMixin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Adds ``preview/`` to the model's admin URLs (the script is in each admin's ``Media``)."""

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        view = self.admin_site.admin_view(require_POST(self.preview_view))
        extra = [path("preview/", view, name=f"{opts.app_label}_{opts.model_name}_preview")]
        urls: list[URLPattern] = super().get_urls()
        return extra + urls

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            return JsonResponse({"message": "Not allowed."}, status=403)
        text = request.POST.get("text", "")
        if len(text) > PREVIEW_MAX_CHARS:
            return JsonResponse({"message": "Text too long to preview."}, status=400)
        return JsonResponse({"html": render_markdown(text)})


def _shop_link(url_name: str, slug: str) -> str:
    """The object's page on the shop, in the default language (staff see drafts there, with a banner)."""
    with translation.override(settings.LANGUAGE_CODE):
        url = reverse(url_name, args=[slug])
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)


@admin.register(Article)
class ArticleAdmin(MarkdownPreviewMixin, TabbedTranslationAdmin):
    class Media:
        js = PREVIEW_MEDIA["js"]
        css = PREVIEW_MEDIA["css"]

    list_display = ["title", "status", "published_at", "author_name", "view_link"]
    list_filter = ["status"]
    search_fields = ["title_fr", "title_en", "title_it", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title_fr"]}
    autocomplete_fields = ["linked_products"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        (_("Publication"), {"fields": ["status", "published_at", "author_name"]}),
        (_("Image and products"), {"fields": ["cover_image", "cover_alt", "linked_products"]}),
        (_("SEO"), {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("on the shop"))
    def view_link(self, obj: Article) -> str:
        return _shop_link("blog:article", obj.slug)

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        services.save_article(article=obj)

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        services.delete_articles(ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        services.delete_articles(ids=list(queryset.values_list("pk", flat=True)))

    @admin.action(description=_("Publish the selected articles"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            article.status = ArticleStatus.PUBLISHED
            services.save_article(article=article)

    @admin.action(description=_("Back to draft"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            article.status = ArticleStatus.DRAFT
            services.save_article(article=article)


@admin.register(Page)
class PageAdmin(MarkdownPreviewMixin, TabbedTranslationAdmin):
    class Media:
        js = PREVIEW_MEDIA["js"]
        css = PREVIEW_MEDIA["css"]

    list_display = ["title", "view_link", "in_footer", "position", "is_published"]
    list_editable = ["position"]
    list_filter = ["in_footer", "is_published"]
    search_fields = ["title_fr", "title_en", "title_it", "slug"]
    prepopulated_fields = {"slug": ["title_fr"]}

    @admin.display(description=_("on the shop"))
    def view_link(self, obj: Page) -> str:
        return _shop_link("blog:page", obj.slug)

    def save_model(self, request: HttpRequest, obj: Page, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        services.save_page(page=obj)

    def delete_model(self, request: HttpRequest, obj: Page) -> None:
        services.delete_pages(ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Page]) -> None:
        services.delete_pages(ids=list(queryset.values_list("pk", flat=True)))
