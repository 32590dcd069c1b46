"""The blog and the simple pages (``content``): the article list, an article, a page, the RSS feed.

Thin: the reads are ``content.selectors`` (and ``storefront.selectors.product_cards`` for an article's
linked products). Drafts and articles dated in the future are 404 for the public; staff see them with
a "draft" banner (and ``noindex``). For anonymous visitors the whole response is kept by
``FullPageCacheMiddleware`` (``_store_whole``), valid while the versions in
``storefront.cache.BLOG_DEPENDENCIES`` hold (``content.changed`` bumps ``content``); an article's
body HTML is also cached per version (``content.selectors.body_html``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from content import selectors as content
from content.models import Article
from pricing.errors import UnsupportedCurrency

from .. import selectors
from ..cache import BLOG_DEPENDENCIES
from .catalog import Shopper, _alternates, _bad_request, _json_ld, _not_found, _render_page, _store_whole


def _is_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def _absolute_media(request: HttpRequest, url: str) -> str:
    return request.build_absolute_uri(url) if url else ""


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    raw_page = request.GET.get("page", "1") or "1"
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= 100000:
        return _bad_request(request, _("The page number must be a whole number from 1."))
    _store_whole(request, Shopper(request), kind="blog", dependencies=BLOG_DEPENDENCIES["blog"])
    found = content.article_list(page=int(raw_page))
    base = request.path
    pages = {
        "previous": (base if found.page_number == 2 else f"{base}?page={found.page_number - 1}")
        if found.has_previous
        else "",
        "next": f"{base}?page={found.page_number + 1}" if found.has_next else "",
    }
    keep = f"page={found.page_number}" if found.page_number > 1 else ""
    ctx = {
        "listing": found,
        "pages": pages,
        "seo": _alternates(request, keep_query=keep),
        "feed_url": reverse("blog:feed"),
    }
    page = {
        "title": _("Blog") if found.page_number == 1 else _("Blog, page %(n)s") % {"n": found.page_number},
        "meta_description": _("News, recipes and stories from our boutiques in Corsica."),
        "seo": render_to_string("storefront/blog/_seo_index.html", ctx, request=request),
        "content": render_to_string("storefront/blog/index.html", ctx, request=request),
        "body_class": "page-blog",
    }
    return _render_page(request, page)


def _article_json_ld(request: HttpRequest, article: Article, *, url: str, language: str) -> dict:
    ld: dict = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title[:110],
        "description": article.seo_description or article.summary,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "inLanguage": language,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "publisher": {"@type": "Organization", "name": getattr(settings, "SHOP_NAME", "Maison Corsica")},
    }
    if article.author_name:
        ld["author"] = {"@type": "Person", "name": article.author_name}
    if article.cover_image:
        ld["image"] = [_absolute_media(request, article.cover_image.url)]
    return ld


@require_safe
def article(request: HttpRequest, slug: str) -> HttpResponse:
    staff = _is_staff(request)
    shopper = Shopper(request)
    _store_whole(request, shopper, kind="article", dependencies=BLOG_DEPENDENCIES["article"])
    found = content.article_by_slug(slug, include_drafts=staff)
    if found is None:
        return _not_found(request)
    language = selectors.current_language()
    seo = _alternates(request)
    products = content.linked_products(found)
    try:
        cards = selectors.product_cards(products, **shopper.prices_kwargs())
    except UnsupportedCurrency:  # a currency without a rate: EUR, as the catalog pages do
        shopper.currency = "EUR"
        cards = selectors.product_cards(products, **shopper.prices_kwargs())
    ctx = {
        "article": found,
        "body_html": content.body_html(found),
        "cards": cards,
        "shopper": shopper,
        "seo": seo,
        "draft": not found.is_public,
        "json_ld": _json_ld(_article_json_ld(request, found, url=seo["canonical"], language=language)),
        "cover_url": found.cover_image.url if found.cover_image else "",
        "cover_abs": _absolute_media(request, found.cover_image.url) if found.cover_image else "",
    }
    page = {
        "title": found.seo_title or found.title,
        "meta_description": (found.seo_description or found.summary or found.title)[:160],
        "seo": render_to_string("storefront/blog/_seo_article.html", ctx, request=request),
        "content": render_to_string("storefront/blog/article.html", ctx, request=request),
        "body_class": "page-article",
    }
    return _render_page(request, page)


@require_safe
def page(request: HttpRequest, slug: str) -> HttpResponse:
    _store_whole(request, Shopper(request), kind="cms_page", dependencies=BLOG_DEPENDENCIES["cms_page"])
    found = content.page_by_slug(slug, include_drafts=_is_staff(request))
    if found is None:
        return _not_found(request)
    ctx = {
        "page_obj": found,
        "body_html": content.body_html(found),
        "seo": _alternates(request),
        "draft": not found.is_published,
    }
    result = {
        "title": found.title,
        "meta_description": found.title,
        "seo": render_to_string("storefront/blog/_seo_page.html", ctx, request=request),
        "content": render_to_string("storefront/blog/page.html", ctx, request=request),
        "body_class": "page-simple",
    }
    return _render_page(request, result)


class ArticleFeed(Feed):
    """``/<lang>/blog/feed/``: RSS 2.0 of the latest public articles, in the URL's language."""

    feed_type = Rss201rev2Feed
    title = gettext_lazy("Maison Corsica: the blog")
    description = gettext_lazy("News, recipes and stories from our boutiques in Corsica.")

    def link(self) -> str:
        return reverse("blog:index")

    def feed_url(self) -> str:
        return reverse("blog:feed")

    def items(self) -> list[Article]:
        return content.feed_articles()

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_link(self, item: Article) -> str:
        return reverse("blog:article", args=[item.slug])

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return item.author_name

    def __call__(self, request, *args, **kwargs):
        _store_whole(request, Shopper(request), kind="feed", dependencies=BLOG_DEPENDENCIES["feed"])
        return super().__call__(request, *args, **kwargs)

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["language"] = selectors.current_language()
        return feed
