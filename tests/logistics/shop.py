"""A small shop for the checkout and logistics tests (plain functions, imported by their fixtures).

Prices (VAT 20 %): TEE 12.50 TTC, 200 g; MUG 6.00 TTC, 400 g. Stock, available units:

=========  ===  ===
location   TEE  MUG
=========  ===  ===
WEB (wh)    5    2
AJA         2    0
BAS         2    1
PRO         9    9   (does not sell online)
=========  ===  ===

Rates are the demo ones (``demo.seed.logistics``): France Colissimo 5.90/7.90/11.90/19.90 (free from
60.00), DPD 8.90/14.90 (free from 80.00), La Poste 3.90 (500 g) / 5.50 (1 kg).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from demo.seed import logistics as demo
from inventory import services as inventory
from inventory.models import Location, LocationKind
from orders.models import Cart, CartLine
from pricing.models import Coupon, DiscountKind, Promotion
from tests.factories import LocationFactory, VariantFactory


@dataclass
class Shop:
    warehouse: Location
    aja: Location
    bas: Location
    pro: Location
    tee: object
    mug: object


def make_shop() -> Shop:
    warehouse = LocationFactory(code="WEB", name="Warehouse", kind=LocationKind.WAREHOUSE, city="Ajaccio")
    aja = LocationFactory(code="AJA", name="Ajaccio", address_line="2 cours Napoléon", postal_code="20000")
    bas = LocationFactory(code="BAS", name="Bastia", city="Bastia", postal_code="20200")
    pro = LocationFactory(code="PRO", name="Propriano", city="Propriano", sells_online=False)
    tee = VariantFactory(
        sku="TEE", product__name="Tee-shirt", product__base_price_ht=Decimal("10.4150"), weight_grams=200
    )
    mug = VariantFactory(
        sku="MUG", product__name="Mug", product__base_price_ht=Decimal("5.0000"), weight_grams=400
    )
    for location, tees, mugs in ((warehouse, 5, 2), (aja, 2, 0), (bas, 2, 1), (pro, 9, 9)):
        if tees:
            inventory.receive_stock(variant=tee, location=location, quantity=tees, reference="PO-1")
        if mugs:
            inventory.receive_stock(variant=mug, location=location, quantity=mugs, reference="PO-1")
    demo.seed()
    return Shop(warehouse=warehouse, aja=aja, bas=bas, pro=pro, tee=tee, mug=mug)


def make_cart(*lines, user=None, coupon_code: str = "") -> Cart:
    cart = Cart.objects.create(user=user, coupon_code=coupon_code)
    for variant, quantity in lines:
        CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    return cart


def make_coupon(code: str = "TEN", percent: str = "10", **kwargs) -> Coupon:
    now = timezone.now()
    promotion = Promotion.objects.create(
        name=f"{percent} % off",
        kind=DiscountKind.PERCENT,
        value=Decimal(percent),
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=30),
        requires_coupon=True,
    )
    return Coupon.objects.create(promotion=promotion, code=code, **kwargs)


ADDRESS = {
    "first_name": "Ana",
    "last_name": "Colonna",
    "line1": "3 rue Fesch",
    "line2": "",
    "postal_code": "20000",
    "city": "Ajaccio",
    "country": "FR",
}
