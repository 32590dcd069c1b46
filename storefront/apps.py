from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StorefrontConfig(AppConfig):
    """The shop's pages (catalog, cart, checkout, customer portal), their page cache, sitemaps, SEO
    and the shop's catalog API. The top layer: it reads every domain and no domain imports it."""

    name = "storefront"
    verbose_name = _("Storefront")

    def ready(self) -> None:
        from . import subscribers

        subscribers.subscribe()
