"""What the storefront does when a lower layer reports a change: forget the cached pages showing it.

Subscribed in ``StorefrontConfig.ready()``, after commit (a rollback bumps nothing). The bumps never
raise (``storefront.cache`` logs a cache outage): the change is already committed.
"""

from __future__ import annotations

from catalog.events import CatalogChanged, ProductsChanged
from content.events import ContentChanged
from core import events
from inventory.events import StockLevelChanged
from pricing.events import PricesChanged
from shops import services as shop_services
from shops.events import ShopsChanged

from . import cache


def stock_level_changed(event: StockLevelChanged) -> None:
    """The product's page shows stock per store; listings show "in stock" only, so they change only
    when the level crossed zero."""
    cache.stock_changed(product_id=event.product_id, crossed_zero=event.crossed_zero)


def products_changed(event: ProductsChanged) -> None:
    cache.bump_products(event.product_ids)
    cache.bump_listing()


def catalog_changed(event: CatalogChanged) -> None:
    cache.bump_all()
    shop_services.reload_snapshots()  # a shop's assortment takes in the new subcategories


def shops_changed(event: ShopsChanged) -> None:
    """A shop's look, languages or assortment shows on every page of it."""
    cache.bump_all()


def prices_changed(event: PricesChanged) -> None:
    cache.bump_all()


def content_changed(event: ContentChanged) -> None:
    """The blog pages and the feed show the articles and pages; every page's footer lists the pages
    flagged for it."""
    cache.bump_content()
    cache.bump_all()


def subscribe() -> None:
    events.subscribe(StockLevelChanged, stock_level_changed)
    events.subscribe(ProductsChanged, products_changed)
    events.subscribe(CatalogChanged, catalog_changed)
    events.subscribe(ShopsChanged, shops_changed)
    events.subscribe(PricesChanged, prices_changed)
    events.subscribe(ContentChanged, content_changed)
