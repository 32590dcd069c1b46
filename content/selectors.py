"""Reads of articles and pages for the storefront: public lists, one article or page, the footer links,
the rendered Markdown (cached per object version and language)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.utils import timezone, translation

from catalog.models import Product

from .markdown import render_markdown
from .models import Article, ArticleStatus, Page

PAGE_SIZE = 12
FOOTER_KEY = "content:footer:{language}"
HTML_TTL = 24 * 3600


def _language() -> str:
    code = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def public_articles() -> QuerySet[Article]:
    """Published articles whose date has come, newest first."""
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, published_at__lte=timezone.now())


def public_pages() -> QuerySet[Page]:
    return Page.objects.filter(is_published=True)


@dataclass
class ArticleList:
    articles: list[Article]
    page_number: int
    num_pages: int
    count: int

    @property
    def has_next(self) -> bool:
        return self.page_number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1


def article_list(*, page: int, per_page: int = PAGE_SIZE) -> ArticleList:
    """One page of the public articles; a page past the end shows the last one (as product listings do).
    2 queries (count, page)."""
    paginator = Paginator(public_articles().defer("body"), per_page)
    try:
        found = paginator.page(page)
    except EmptyPage:
        found = paginator.page(paginator.num_pages)
    return ArticleList(
        articles=list(found.object_list),
        page_number=found.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
    )


def article_by_slug(slug: str, *, include_drafts: bool = False) -> Article | None:
    """The article, or None when it does not exist or is not public (drafts and future dates are
    shown only with ``include_drafts``: staff)."""
    qs = Article.objects.all() if include_drafts else public_articles()
    return qs.filter(slug=slug).first()


def page_by_slug(slug: str, *, include_drafts: bool = False) -> Page | None:
    qs = Page.objects.all() if include_drafts else public_pages()
    return qs.filter(slug=slug).first()


def linked_products(article: Article) -> list[Product]:
    """The article's published linked products, by name. 1 query."""
    return list(article.linked_products.filter(is_published=True).order_by("name"))


def body_html(obj: Article | Page) -> str:
    """The body rendered to HTML in the active language, cached per object, version and language."""
    stamp = obj.updated_at.timestamp() if obj.updated_at else 0
    key = f"content:html:{type(obj).__name__.lower()}:{obj.pk}:{_language()}:{stamp}"
    html = cache.get(key)
    if html is None:
        html = render_markdown(obj.body)
        cache.set(key, html, HTML_TTL)
    return str(html)


@dataclass(frozen=True)
class FooterLink:
    title: str
    slug: str


def footer_pages() -> Sequence[FooterLink]:
    """The pages flagged for the footer, in order, in the active language. From the cache (forgotten
    when a page changes: ``services``), so no query once warm."""
    key = FOOTER_KEY.format(language=_language())
    links = cache.get(key)
    if links is None:
        links = [FooterLink(title=p.title, slug=p.slug) for p in public_pages().filter(in_footer=True)]
        cache.set(key, links, None)
    return list(links)


def forget_footer() -> None:
    cache.delete_many([FOOTER_KEY.format(language=code) for code, _name in settings.LANGUAGES])


def feed_articles(*, limit: int = 20) -> list[Article]:
    return list(public_articles().defer("body")[:limit])
