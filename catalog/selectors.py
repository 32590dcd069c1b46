"""Reads of the product domain that other apps need (pages read through storefront.selectors)."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import UnknownSku
from .models import ProductImage, Variant


def variant_by_sku(sku: str) -> Variant:
    """The variant with this SKU, its product loaded; ``UnknownSku`` (404) when there is none. 1 query."""
    sku = (sku or "").strip()
    variant = Variant.objects.select_related("product").filter(sku=sku).first() if sku else None
    if variant is None:
        raise UnknownSku(f"No product variant has the SKU {sku!r}.", detail={"sku": sku})
    return variant


def missing_skus(skus: set[str]) -> list[str]:
    """The SKUs of ``skus`` that no variant has, sorted. 1 query."""
    return sorted(skus - set(Variant.objects.filter(sku__in=skus).values_list("sku", flat=True)))


def photos_by_product(product_ids: Iterable[int]) -> dict[int, list[ProductImage]]:
    """Each product's photos, by position (for ``catalog.images.choose_photo``). 1 query."""
    found: dict[int, list[ProductImage]] = {}
    ids = set(product_ids)
    if not ids:
        return found
    for photo in ProductImage.objects.filter(product_id__in=ids).order_by("product_id", "position", "id"):
        found.setdefault(photo.product_id, []).append(photo)
    return found
