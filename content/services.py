"""Writes of articles and pages (the admin calls these): save or delete, then tell the layers above
(``ContentChanged``: the footer shown on every cached page) and forget the cached footer links."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from core import events

from . import selectors
from .events import ContentChanged
from .models import Article, Page


def _changed() -> None:
    events.publish(ContentChanged())
    transaction.on_commit(selectors.forget_footer)


@transaction.atomic
def save_article(*, article: Article) -> Article:
    article.full_clean()
    article.save()
    _changed()
    return article


@transaction.atomic
def delete_articles(*, ids: Iterable[int]) -> int:
    deleted, _ = Article.objects.filter(pk__in=list(ids)).delete()
    _changed()
    return deleted


@transaction.atomic
def save_page(*, page: Page) -> Page:
    page.full_clean()
    page.save()
    _changed()
    return page


@transaction.atomic
def delete_pages(*, ids: Iterable[int]) -> int:
    deleted, _ = Page.objects.filter(pk__in=list(ids)).delete()
    _changed()
    return deleted
