"""Articles and pages for the blog tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from content import services
from content.models import Article, ArticleStatus, Page


def article(
    slug: str, *, title: str = "", status: str = ArticleStatus.PUBLISHED, days_ago: float = 1, **kwargs
) -> Article:
    title = title or slug.replace("-", " ").capitalize()
    products = kwargs.pop("products", [])
    found = Article(
        slug=slug,
        title_en=title,
        title_fr=kwargs.pop("title_fr", f"{title} (fr)"),
        title_it=kwargs.pop("title_it", f"{title} (it)"),
        summary_en=kwargs.pop("summary_en", f"About {title}."),
        summary_fr=kwargs.pop("summary_fr", f"À propos de {title}."),
        body_en=kwargs.pop("body_en", f"## {title}\n\nSome **bold** text."),
        body_fr=kwargs.pop("body_fr", f"## {title}\n\nDu texte en **gras**."),
        status=status,
        published_at=timezone.now() - timedelta(days=days_ago),
        **kwargs,
    )
    services.save_article(article=found)
    if products:
        found.linked_products.set(products)
    return found


def page(slug: str, *, title: str = "", in_footer: bool = False, position: int = 0, **kwargs) -> Page:
    title = title or slug.replace("-", " ").capitalize()
    found = Page(
        slug=slug,
        title_en=title,
        title_fr=kwargs.pop("title_fr", f"{title} (fr)"),
        title_it=kwargs.pop("title_it", f"{title} (it)"),
        body_en=kwargs.pop("body_en", f"{title}: the details."),
        body_fr=kwargs.pop("body_fr", f"{title} : les détails."),
        in_footer=in_footer,
        position=position,
        **kwargs,
    )
    return services.save_page(page=found)
