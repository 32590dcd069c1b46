"""Two shops in a real browser on a phone (390x844): the default shop on ``localhost`` and Maison Corse
Pro on ``pro.localhost`` (Chromium maps it to this machine) show their own name, colours, menu and
products. Screenshots: docs/screenshots/shops-a.png, shops-b.png."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from shops import services as shop_services
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.storefront.storefront_data import Shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
PRO_BRAND = "rgb(29, 53, 87)"  # #1d3557


def seed() -> None:
    catalog = Shop()
    for name in ("Calvi tee", "Bastia tee", "Porto tee"):
        catalog.tshirt(name, aja=3)
    for name in ("Fig jam", "Chestnut honey", "Myrtle liqueur"):
        catalog.jam(name, aja=4)
    shop_services.create_shop(
        code="pro",
        name="Maison Corse Pro",
        hosts=["pro.localhost"],
        category_ids=[catalog.food.pk],
        mode="b2b",
        languages=["fr", "en"],
        default_language="fr",
        tokens={
            "brand": "#1d3557",
            "brand-dark": "#14243b",
            "brand-soft": "#e3ebf5",
            "accent": "#e76f51",
            "radius": "2px",
        },
        legal_mentions_en="Maison Corse Pro — trade sales only. Prices excl. VAT.",
    )


@pytest.fixture
def phone(settings):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "pro.localhost"]
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP pro.localhost 127.0.0.1"],
    )
    context = browser.new_context(viewport=PHONE, locale="en-GB", device_scale_factor=2, is_mobile=True)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()
        browser.close()
        playwright.stop()


def brand_colour(page) -> str:
    return page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()")


def test_each_shop_shows_its_own_look_and_assortment_on_a_phone(live_server, phone, in_thread):
    in_thread(seed)
    port = urlsplit(live_server.url).port
    SHOTS.mkdir(parents=True, exist_ok=True)

    phone.goto(f"http://localhost:{port}/en/")
    a = phone.content()
    assert "Calvi tee" in a and "Fig jam" in a and "Maison Corse Pro" not in a
    phone.screenshot(path=str(SHOTS / "shops-a.png"))

    phone.goto(f"http://pro.localhost:{port}/en/")
    b = phone.content()
    assert "Maison Corse Pro" in phone.title() and "Fig jam" in b and "Calvi tee" not in b
    assert brand_colour(phone) == "#1d3557"
    assert "trade sales only" in b
    phone.screenshot(path=str(SHOTS / "shops-b.png"))

    missing = phone.goto(f"http://pro.localhost:{port}/it/")  # a language the pro shop does not offer
    assert missing is not None and missing.status == 404
