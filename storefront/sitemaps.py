"""``/sitemap.xml``: every published product and every category, in every language (i18n=True)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import Category, Product


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


sitemaps = {"products": ProductSitemap, "categories": CategorySitemap}
