"""``/sitemap.xml``: every published product and category, blog article and page, in every language
(i18n=True, with hreflang alternates)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import Category, Product
from content import selectors as content


class ProductSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "daily"
    priority = 0.8
    limit = 5000

    def items(self):
        return Product.objects.filter(is_published=True).order_by("pk").only("pk", "slug", "updated_at")

    def location(self, item):
        return reverse("catalog:product", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class CategorySitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Category.objects.order_by("pk").only("pk", "slug")

    def location(self, item):
        return reverse("catalog:category", args=[item.slug])


class ArticleSitemap(Sitemap):
    """Public blog articles (drafts and future dates left out)."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return content.public_articles().order_by("pk").only("pk", "slug", "updated_at")

    def location(self, item):
        return reverse("blog:article", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return content.public_pages().order_by("pk").only("pk", "slug", "updated_at")

    def location(self, item):
        return reverse("blog:page", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


sitemaps = {
    "products": ProductSitemap,
    "categories": CategorySitemap,
    "articles": ArticleSitemap,
    "pages": PageSitemap,
}
