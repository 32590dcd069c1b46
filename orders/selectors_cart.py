"""Reads the cart page needs beyond the cart itself: "often bought together" suggestions.

A constant number of queries whatever the cart or the order history: one for co-purchases, one
for the same-category fallback (only when co-purchases are too few), one for the products, and
the prefetches of their images and variants, then one for the prices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch

from catalog.models import Product, ProductImage, Variant
from core.money import money_round
from pricing import services as pricing
from pricing.models import Channel as PriceChannel

from .models import OrderLine, OrderStatus

if TYPE_CHECKING:
    from accounts.models import CustomerGroup

BOUGHT_STATUSES = (OrderStatus.PAID, OrderStatus.COMPLETED)


@dataclass(frozen=True)
class Suggestion:
    product: Product
    variant: Variant  # the first variant on sale: what "Add" puts in the cart
    image: ProductImage | None
    unit_gross: Decimal  # EUR, TTC
    times_bought_together: int  # 0 for a same-category fallback

    @property
    def unit_net(self) -> Decimal:
        """EUR HT, for a buyer shown prices excl. VAT (the product's VAT rate is loaded with it)."""
        return money_round(self.unit_gross / (1 + self.product.vat_rate.rate))


def cart_suggestions(
    *,
    product_ids: Iterable[int],
    customer_group: CustomerGroup | None = None,
    limit: int = 4,
    shop_id: int | None = None,
) -> list[Suggestion]:
    """Products most often in the same PAID or COMPLETED orders as ``product_ids`` (most orders
    first), then products of the same categories; never one already in the cart."""
    in_cart = set(product_ids)
    if not in_cart:
        return []
    orders_with_cart_products = OrderLine.objects.filter(
        order__status__in=BOUGHT_STATUSES, variant__product_id__in=in_cart
    ).values("order_id")
    ranked = list(
        OrderLine.objects.filter(order_id__in=orders_with_cart_products, variant__product__is_published=True)
        .exclude(variant__product_id__in=in_cart)
        .values("variant__product_id")
        .annotate(orders=Count("order_id", distinct=True))
        .order_by("-orders", "variant__product_id")[: limit * 2]
    )
    counts = {row["variant__product_id"]: row["orders"] for row in ranked}
    chosen = list(counts)
    if len(chosen) < limit * 2:
        categories = Product.objects.filter(pk__in=in_cart).values("category_id")
        chosen += list(
            Product.objects.filter(category_id__in=categories, is_published=True)
            .exclude(pk__in=in_cart | set(chosen))
            .order_by("name", "pk")
            .values_list("pk", flat=True)[: limit * 2 - len(chosen)]
        )
    if not chosen:
        return []
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=chosen)
        .select_related("vat_rate")
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
            Prefetch(
                "variants",
                queryset=Variant.objects.filter(is_active=True).order_by("position", "sku"),
                to_attr="on_sale",
            ),
        )
    }
    picked: list[tuple[Product, Variant]] = []
    for pk in chosen:
        product = products.get(pk)
        if product is not None and product.on_sale:
            variant = product.on_sale[0]
            variant.product = product  # already loaded with its VAT rate: no query for the price
            picked.append((product, variant))
        if len(picked) == limit:
            break
    prices = pricing.unit_prices(
        variants=[v for _, v in picked],
        customer_group=customer_group,
        channel=PriceChannel.WEB,
        shop_id=shop_id,  # the cart's shop: its price lists
    )
    return [
        Suggestion(
            product=product,
            variant=variant,
            image=next(iter(product.images.all()), None),
            unit_gross=prices[variant.pk].gross,
            times_bought_together=counts.get(product.pk, 0),
        )
        for product, variant in picked
    ]
