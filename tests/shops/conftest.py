"""Two shops on one install: shop A the default (``testserver``), shop B "Maison Corse Pro" on
``pro.localhost`` (B2B mode, only Local food, French and English)."""

from __future__ import annotations

import pytest

from shops import services as shop_services
from tests.storefront.storefront_data import Shop

A = "testserver"
B = "pro.localhost"


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = [A, B, "unknown.example", "jams.localhost"]


@pytest.fixture
def catalog(db):
    return Shop()


@pytest.fixture
def pro(catalog):
    return shop_services.create_shop(
        code="pro",
        name="Maison Corse Pro",
        hosts=[B],
        category_ids=[catalog.food.pk],
        mode="b2b",
        languages=["fr", "en"],
        default_language="fr",
        tokens={"brand": "#1d3557", "radius": "2px"},
        legal_mentions_en="Maison Corse Pro SAS, RCS Ajaccio 832 047 153.",
    )
