from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from catalog.events import ProductsChanged
        from core import events

        from .services.availability import on_products_changed

        # A variant switched on or off changes what its product has available: recount its rows.
        events.subscribe(ProductsChanged, on_products_changed)
