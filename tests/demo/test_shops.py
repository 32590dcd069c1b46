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
