"""Reads that marketing's pages need, their queries fixed whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import User
from catalog.models import Variant
from inventory import selectors as stock
from pricing import selectors as price_selectors
from pricing.models import Channel as PriceChannel

from .models import WishlistItem


@dataclass(frozen=True)
class WishlistRow:
    wish: WishlistItem
    price: Decimal | None  # TTC, EUR, public web price (the variant's, or the product's lowest)
    dropped: bool  # below the price when wished
    in_stock: bool
    image_url: str


def wishlist_rows(*, customer: User) -> list[WishlistRow]:
    """The portal's "My wishlist": each wish with its price now and whether it is in stock. 5 queries."""
    wishes = list(
        WishlistItem.objects.filter(customer=customer, product__is_published=True)
        .select_related("product", "variant", "store")
        .prefetch_related("product__images")
    )
    if not wishes:
        return []
    variants = list(
        Variant.objects.filter(product_id__in={w.product_id for w in wishes}, is_active=True).select_related(
            "product__vat_rate"
        )
    )
    prices = price_selectors.display_prices(variants=variants, channel=PriceChannel.WEB)
    lowest: dict[int, Decimal] = {}
    for variant in variants:
        gross = prices[variant.pk].gross_eur
        lowest[variant.product_id] = min(gross, lowest.get(variant.product_id, gross))
    in_stock = stock.products_in_stock({w.product_id for w in wishes})
    rows = []
    for wish in wishes:
        price = (
            prices[wish.variant_id].gross_eur if wish.variant_id in prices else lowest.get(wish.product_id)
        )
        images = list(wish.product.images.all())
        image = images[0] if images else None
        rows.append(
            WishlistRow(
                wish=wish,
                price=price,
                dropped=bool(price is not None and wish.reference_price and price < wish.reference_price),
                in_stock=wish.product_id in in_stock,
                image_url=(image.image.url if image.image else image.url) if image else "",
            )
        )
    return rows
