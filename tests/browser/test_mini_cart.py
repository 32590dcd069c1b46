"""On a phone (390x844), in a real browser: "Add to cart" stays on the product page and opens the
mini-cart drawer (the line, its total, checkout and cart buttons); Escape closes it and gives the focus
back; the header's cart link opens it too; the product page promises a delivery time; checkout has the
slim header (issue 16). Screenshot: docs/screenshots/shop-mini-cart-phone.png."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from inventory import services as stock
from logistics.models import Carrier
from tests.factories import LocationFactory, VariantFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def seed() -> str:
    aja = LocationFactory(code="AJA", name="Ajaccio", sells_online=True)
    Carrier.objects.update_or_create(code="colissimo", defaults={"name": "Colissimo", "delivery_days": "2-3"})
    variant = VariantFactory(
        sku="LIN-NAVY", product__name="Chemise en lin marine", product__base_price_ht=Decimal("32.50")
    )
    stock.receive_stock(variant=variant, location=aja, quantity=5)
    return variant.product.slug


@pytest.fixture
def server(transactional_db, settings):
    from bench._common import AsgiServer, child_env, database_url

    env = child_env(
        DATABASE_URL=database_url(settings.DATABASES["default"]),
        REDIS_URL=settings.REDIS_URL,
        DB_CONN_MAX_AGE="0",
        DJANGO_ALLOW_ASYNC_UNSAFE=None,
    )
    with AsgiServer(env=env) as running:
        yield running


def test_add_to_cart_opens_the_drawer(server, chromium_browser, in_thread):
    slug = in_thread(seed)
    context = chromium_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    try:
        page.goto(f"{server.base_url}/fr/p/{slug}/")
        expect(page.locator("[data-delivery-estimate]")).to_contain_text(
            "Livraison à domicile en 2-3 jours ouvrés"
        )
        page.locator("[data-add-button]").click()
        drawer = page.locator(".drawer[role=dialog]")
        expect(drawer).to_be_visible()
        assert page.url.endswith(f"/fr/p/{slug}/")  # stayed on the product page
        expect(drawer.locator(".drawer__line")).to_have_count(1)
        expect(drawer).to_contain_text("Chemise en lin marine")
        expect(drawer.locator(".drawer__total")).to_contain_text("39,00")
        expect(page.locator("[data-cart-count]").first).to_have_text("1")
        expect(page.locator("[data-drawer-close]")).to_be_focused()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "shop-mini-cart-phone.png"))
        page.keyboard.press("Escape")
        expect(drawer).to_be_hidden()

        page.locator(".shop-tool--cart").click()  # the header's cart link opens it too
        expect(drawer).to_be_visible()
        drawer.locator("a.button").first.click()  # "Checkout"
        page.wait_for_url("**/fr/checkout/")
        expect(page.locator(".shop-header--slim")).to_contain_text("Paiement sécurisé")
        expect(page.locator(".shop-header__search")).to_have_count(0)  # no search or menu at checkout
        assert errors == []
    finally:
        context.close()
