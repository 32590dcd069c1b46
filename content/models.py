"""The shop's editorial content: blog articles and simple pages (delivery, legal notice...).

Texts are Markdown (``content.markdown``: raw HTML off), translated FR/EN/IT by modeltranslation
(``content.translation``). One slug per article or page, the same in every language, as products have.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("Shown in the list and the feed."))
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "Markdown: **bold**, *italic*, ## headings, [links](https://...), ![images](/media/...)."
        ),
    )
    cover_image = models.ImageField(_("cover image"), upload_to="blog/", blank=True)
    cover_alt = models.CharField(_("cover image text"), max_length=200, blank=True)
    author_name = models.CharField(_("author"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(
        _("published at"), default=timezone.now, help_text=_("A future date keeps it hidden until then.")
    )
    linked_products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="+", verbose_name=_("linked products")
    )
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=160, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ArticleStatus.values), name="article_status_valid")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and self.published_at <= timezone.now()


class Page(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown, as in articles."))
    in_footer = models.BooleanField(_("in the footer"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title
