"""What the catalog tells the layers above it (``core.events``): ids only, no models."""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class ProductsChanged(Event):
    """These products' content changed (the product, a variant, an image, an approved review):
    their pages and the listings showing them are stale."""

    name = "catalog.products_changed"

    product_ids: tuple[int, ...]


@dataclass(frozen=True)
class CatalogChanged(Event):
    """Something shown on every page changed (categories, which products are published)."""

    name = "catalog.changed"
