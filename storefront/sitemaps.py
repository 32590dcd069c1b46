"""``/sitemap.xml``: every published product and category the request's shop sells, blog article and
page, in the shop's languages (i18n=True, with hreflang alternates), on the shop's primary host name."""

from django.contrib.sitemaps import Sitemap
from django.http.request import split_domain_port
from django.urls import reverse

from catalog.models import Category
from content import selectors as content
from shops.context import current_shop

from .selectors import published_products


class ShopSitemap(Sitemap):
    """A sitemap of the request's shop (``shops.context``): its languages, its primary host name."""

    i18n = True
    alternates = True
    x_default = True

    def _languages(self):
        shop = current_shop()
        return list(shop.languages) if shop is not None else super()._languages()  # type: ignore[misc]

    def get_domain(self, site=None):
        domain = super().get_domain(site)
        shop = current_shop()
        if shop is None or not shop.primary_host:
            return domain
        _name, port = split_domain_port(domain)
        return f"{shop.primary_host}:{port}" if port else shop.primary_host


class ProductSitemap(ShopSitemap):
    changefreq = "daily"
    priority = 0.8
    limit = 5000

    def items(self):
        return published_products().order_by("pk").only("pk", "slug", "updated_at")

    def location(self, item):
        return reverse("catalog:product", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class CategorySitemap(ShopSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        categories = Category.objects.order_by("pk").only("pk", "slug")
        shop = current_shop()
        if shop is not None and shop.category_ids:
            categories = categories.filter(pk__in=sorted(shop.assortment_category_ids))
        return categories

    def location(self, item):
        return reverse("catalog:category", args=[item.slug])


class ArticleSitemap(ShopSitemap):
    """Public blog articles (drafts and future dates left out)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return content.public_articles().order_by("pk").only("pk", "slug", "updated_at")

    def location(self, item):
        return reverse("blog:article", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(ShopSitemap):
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
