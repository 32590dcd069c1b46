"""The demo's second shop (demo.seed.shops): B2B, its own look, food and gifts only, FR/EN; re-runnable."""

import pytest
from django.test import Client

from catalog.models import Category
from demo.seed.shops import seed
from shops import selectors
from shops.models import Shop

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_maison_corse_pro_on_pro_localhost_once(settings):
    food = Category.objects.create(slug="local-food", name_fr="Épicerie", name_en="Local food")
    Category.objects.create(slug="clothing", name_fr="Vêtements", name_en="Clothing")
    first = seed()
    assert seed().pk == first.pk and Shop.objects.count() == 2  # the default one and this one

    info = selectors.shop_for_host("pro.localhost")
    assert (info.name, info.mode, info.languages) == ("Maison Corse Pro", "b2b", ("fr", "en"))
    assert info.category_ids == frozenset({food.pk})
    assert info.tokens["brand"] == "#1d3557"
    assert "pro.localhost" in settings.ALLOWED_HOSTS
    page = Client(HTTP_HOST="pro.localhost").get("/fr/")
    assert page.status_code == 200 and "Maison Corse Pro" in page.content.decode()


def test_the_demo_shop_has_its_trade_prices_and_checkout_methods():
    from decimal import Decimal

    from orders.services.shop_options import shop_methods
    from pricing import services as pricing
    from tests.factories import VariantFactory

    food = Category.objects.create(slug="local-food", name_fr="Épicerie", name_en="Local food")
    jams = Category.objects.create(slug="jams", name_fr="Confitures", name_en="Jams", parent=food)
    jam = VariantFactory(product__category=jams, product__base_price_ht=Decimal("10.0000"))
    shirt = VariantFactory(product__base_price_ht=Decimal("10.0000"))
    shop = seed()
    seed()  # again: nothing doubled
    assert [pricing.unit_price(variant=jam, shop_id=shop.pk, quantity=q).net for q in (1, 12)] == [
        Decimal("9.0000"),
        Decimal("8.5000"),
    ]
    assert pricing.unit_price(variant=jam).net == Decimal("10.0000")  # the default shop, the tills
    assert pricing.unit_price(variant=shirt, shop_id=shop.pk).net == Decimal("10.0000")
    methods = shop_methods(shop.pk)
    assert methods.deliveries() == ["home", "click_collect"]
    assert methods.payments(["test", "stripe", "paypal", "terms"]) == ["test", "stripe", "terms"]
