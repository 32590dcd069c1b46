"""A small storefront catalog for the catalog page, API, review and SEO tests.

Clothing > Women > T-shirts, and Local food > Jams. T-shirts come in S/Red and M/Blue; stock goes in
through ``inventory.services`` at Ajaccio (AJA) and Bastia (BAS). Prices: 10.00 HT at 20 % VAT,
so 12,00 € TTC.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from catalog.models import Category, OptionType, OptionValue, Product, Review, ReviewStatus, Variant
from inventory import services as stock
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from tests.factories import LocationFactory, ProductFactory, VariantFactory, VatRateFactory, make_ean13


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def category(slug: str, en: str, *, parent=None, fr: str | None = None, it: str | None = None) -> Category:
    return Category.objects.create(
        slug=slug, parent=parent, name_en=en, name_fr=fr or f"{en} FR", name_it=it or f"{en} IT"
    )


def options() -> dict[str, OptionValue]:
    size = OptionType.objects.get_or_create(code="size", defaults={"name_en": "Size", "name_fr": "Taille"})[0]
    color = OptionType.objects.get_or_create(
        code="color", defaults={"name_en": "Colour", "name_fr": "Couleur"}
    )[0]
    values = {}
    for i, (code, en, fr) in enumerate([("s", "S", "S"), ("m", "M", "M")]):
        values[code] = OptionValue.objects.get_or_create(
            option_type=size, code=code, defaults={"name_en": en, "name_fr": fr, "position": i}
        )[0]
    for i, (code, en, fr) in enumerate([("red", "Red", "Rouge"), ("blue", "Blue", "Bleu")]):
        values[code] = OptionValue.objects.get_or_create(
            option_type=color, code=code, defaults={"name_en": en, "name_fr": fr, "position": i}
        )[0]
    return values


class Shop:
    """Handles on the test catalog."""

    def __init__(self) -> None:
        self.vat = VatRateFactory()
        self.aja = LocationFactory(code="AJA", name="Ajaccio")
        self.bas = LocationFactory(code="BAS", name="Bastia")
        self.clothing = category("clothing", "Clothing", fr="Vêtements")
        self.women = category("women", "Women", parent=self.clothing, fr="Femme")
        self.tshirts = category("women-t-shirts", "T-shirts", parent=self.women, fr="T-shirts")
        self.food = category("local-food", "Local food", fr="Épicerie")
        self.opts = options()
        self._n = 0

    def tshirt(self, name: str, *, price: str = "10.0000", aja: int = 0, bas: int = 0, **kwargs) -> Product:
        """A T-shirt with variants S/Red (-S-RED) and M/Blue (-M-BLUE); stock on S/Red."""
        self._n += 1
        slug = kwargs.pop("slug", f"tee-{self._n}")
        product = ProductFactory(
            slug=slug,
            name_en=name,
            name_fr=kwargs.pop("name_fr", f"{name} (fr)"),
            name_it=f"{name} (it)",
            description_en=kwargs.pop("description_en", f"{name}, soft cotton."),
            description_fr=kwargs.pop("description_fr", f"{name}, coton doux."),
            category=self.tshirts,
            vat_rate=self.vat,
            base_price_ht=Decimal(price),
            **kwargs,
        )
        base = slug.upper()
        red = VariantFactory(
            product=product, sku=f"{base}-S-RED", ean13=make_ean13(50000 + self._n * 2), position=0
        )
        red.option_values.set([self.opts["s"], self.opts["red"]])
        blue = VariantFactory(
            product=product, sku=f"{base}-M-BLUE", ean13=make_ean13(50001 + self._n * 2), position=1
        )
        blue.option_values.set([self.opts["m"], self.opts["blue"]])
        if aja:
            stock.receive_stock(variant=red, location=self.aja, quantity=aja, reference="PO-T")
        if bas:
            stock.receive_stock(variant=red, location=self.bas, quantity=bas, reference="PO-T")
        return product

    def jam(self, name: str, *, price: str = "5.0000", aja: int = 0, **kwargs) -> Product:
        self._n += 1
        slug = kwargs.pop("slug", f"jam-{self._n}")
        product = ProductFactory(
            slug=slug,
            name_en=name,
            name_fr=kwargs.pop("name_fr", f"{name} (fr)"),
            name_it=f"{name} (it)",
            description_en=kwargs.pop("description_en", f"{name} from Corsica."),
            description_fr=kwargs.pop("description_fr", f"{name} de Corse."),
            category=self.food,
            vat_rate=self.vat,
            base_price_ht=Decimal(price),
            **kwargs,
        )
        variant = VariantFactory(
            product=product, sku=f"{slug.upper()}-370G", ean13=make_ean13(70000 + self._n)
        )
        if aja:
            stock.receive_stock(variant=variant, location=self.aja, quantity=aja, reference="PO-J")
        return product


def variant(sku: str) -> Variant:
    return Variant.objects.get(sku=sku)


def paid_order(user, product: Product, *, status: str = OrderStatus.PAID, location=None) -> Order:
    """An order of ``user`` for the product's first variant, already in ``status`` (test data)."""
    v = product.variants.order_by("position").first()
    order = Order.objects.create(
        number=f"W-{Order.objects.count() + 1:06d}",
        channel=Channel.WEB,
        status=status,
        delivery_method=DeliveryMethod.HOME,
        location=location or LocationFactory(code="AJA", name="Ajaccio"),
        customer=user,
        email=user.email,
        total_net=Decimal("10.00"),
        total_vat=Decimal("2.00"),
        total_gross=Decimal("12.00"),
        total_gross_eur=Decimal("12.00"),
    )
    OrderLine.objects.create(
        order=order,
        variant=v,
        sku=v.sku,
        name=product.name,
        quantity=1,
        unit_price_net=Decimal("10.0000"),
        vat_rate=Decimal("0.2000"),
        total_net=Decimal("10.00"),
        total_vat=Decimal("2.00"),
        total_gross=Decimal("12.00"),
    )
    return order


def approved_review(product: Product, user, rating: int, text: str = "Lovely, fits well.") -> Review:
    return Review.objects.create(
        product=product,
        user=user,
        author_name=user.email.split("@")[0],
        rating=rating,
        text=text,
        status=ReviewStatus.APPROVED,
    )
