"""Shared givens for the cart tests (tests/orders/test_cart*.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from inventory import services as inventory
from orders.models import Cart, CartLine
from pricing.models import Coupon, DiscountKind, Promotion
from tests.factories import LocationFactory, ProductFactory, VariantFactory


def make_shop():
    """AJA sells online: 5 TEE (12.50 TTC) and 10 MUG (6.00 TTC). WH does not sell online."""
    aja = LocationFactory(code="AJA", name="Ajaccio", sells_online=True)
    tee = VariantFactory(sku="TEE", product__name="Tee", product__base_price_ht=Decimal("10.4150"))
    mug = VariantFactory(sku="MUG", product__name="Mug", product__base_price_ht=Decimal("5.0000"))
    inventory.receive_stock(variant=tee, location=aja, quantity=5)
    inventory.receive_stock(variant=mug, location=aja, quantity=10)
    return aja, tee, mug


def stocked_variant(sku: str, *, location, quantity: int = 20, price=Decimal("10.0000"), **product):
    variant = VariantFactory(sku=sku, product=ProductFactory(base_price_ht=price, **product))
    if quantity:
        inventory.receive_stock(variant=variant, location=location, quantity=quantity)
    return variant


def promotion(**kwargs) -> Promotion:
    now = timezone.now()
    defaults = {
        "name": "Autumn",
        "kind": DiscountKind.PERCENT,
        "value": Decimal("10"),
        "starts_at": now - dt.timedelta(days=1),
        "ends_at": now + dt.timedelta(days=1),
    }
    return Promotion.objects.create(**{**defaults, **kwargs})


def coupon(code: str = "BIENVENUE10", *, promotion_kwargs=None, **kwargs) -> Coupon:
    promo = promotion(
        **{
            "name": f"Coupon {code}",
            "requires_coupon": True,
            "min_basket_ttc": Decimal("30.00"),
            **(promotion_kwargs or {}),
        }
    )
    return Coupon.objects.create(code=code, promotion=promo, **kwargs)


def lines_of(cart: Cart) -> list[tuple[str, int]]:
    return [
        (line.variant.sku, line.quantity)
        for line in CartLine.objects.filter(cart=cart).select_related("variant")
    ]
