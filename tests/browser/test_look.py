"""One look (issue 16): the shop, the till, the stock grid, the dashboard and the admin read as one
product. In a real browser each page's main button and header bar are painted in the brand colour of
static/css/tokens.css, every page's text is in the tokens' font, and primary buttons share the tokens'
radius. Takes docs/screenshots/look-*.png with ``UPDATE_SCREENSHOTS=1``.
"""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from core.look import design_token
from inventory import services as stock
from inventory.models import LocationKind
from pos.models import Register
from tests.factories import LocationFactory, ProductFactory, UserFactory, VariantFactory, cashier
from tests.storefront.storefront_data import Shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
TILL = {"width": 1280, "height": 800}
DESK = {"width": 1440, "height": 900}
PASSWORD = "pass-1234-word"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

STYLE = """(selector) => {
  const node = document.querySelector(selector);
  if (!node) return null;
  const style = getComputedStyle(node);
  return {background: style.backgroundColor, radius: style.borderTopLeftRadius,
          font: getComputedStyle(document.body).fontFamily};
}"""


def rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))


def shot(page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / f"look-{name}.png"))


def seed() -> dict:
    shop = Shop()
    product = shop.tshirt("Calvi linen tee", price="20.0000", aja=4, bas=1, name_fr="T-shirt en lin Calvi")
    shop.jam("Fig jam", aja=6)
    till = LocationFactory(code="LOOK", name="Ajaccio — Cours Napoléon", kind=LocationKind.STORE)
    Register.objects.create(store=till, code="look-1", name="Caisse 1")
    for sku, name, price in (("LOOK-MIEL", "Miel du maquis", "6.25"), ("LOOK-PAIN", "Pain de campagne", "3")):
        variant = VariantFactory(sku=sku, product=ProductFactory(name=name, base_price_ht=Decimal(price)))
        stock.receive_stock(variant=variant, location=till, quantity=12, reference="PO-1")
    cashier(till, email="cashier.look@example.com", password=PASSWORD)
    UserFactory(
        email="boss.look@example.com", password=PASSWORD, role=Role.MANAGER, is_staff=True, is_superuser=True
    )
    return {"slug": product.slug, "product_id": product.pk}


def test_every_page_family_wears_the_same_brand_font_and_radius(asgi_server, chromium_browser, in_thread):
    data = in_thread(seed)
    base = asgi_server.base_url
    brand, brand_dark = rgb(design_token("brand")), rgb(design_token("brand-dark"))
    seen: dict[str, dict] = {}

    def look(page, name: str, selector: str) -> None:
        style = page.evaluate(STYLE, selector)
        assert style is not None, f"{name}: no {selector}"
        seen[name] = style

    # The shop on a phone, signed out.
    context = chromium_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{base}/fr/")
        look(page, "shop home: search button", ".search-form button")
        shot(page, "shop-home-phone")
        page.goto(f"{base}/fr/p/{data['slug']}/")
        expect(page.locator("h1")).to_contain_text("Calvi")
        look(page, "product: add to cart", ".buy__button")
        shot(page, "product-phone")
    finally:
        context.close()

    # The till on a store tablet.
    context = chromium_browser.new_context(viewport=TILL, has_touch=True, locale="fr-FR")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{base}/pos/")
        look(page, "till sign-in: button", "form button[type=submit]")
        page.fill("#id_username", "cashier.look@example.com")
        page.fill("#id_password", PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(f"{base}/pos/")
        page.locator('[data-register="look-1"]').click()
        page.fill("#opening-float", "100")
        page.locator("#open-form button[type=submit]").click()
        expect(page.locator("#screen-sale")).to_be_visible()
        page.wait_for_function("() => window.PosApp && window.PosApp.state.catalog.size >= 2")
        look(page, "till: top bar", ".topbar")
        shot(page, "till")
    finally:
        context.close()

    # Staff screens and the admin on a desktop.
    context = chromium_browser.new_context(viewport=DESK, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{base}/admin/login/?next=/stock/")
        look(page, "admin sign-in: header", "#header")
        page.fill("#id_username", "boss.look@example.com")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/stock/")
        look(page, "stock grid: header", ".site-header")
        shot(page, "stock-grid")
        page.goto(f"{base}/admin/catalog/product/{data['product_id']}/change/")
        look(page, "admin product: header", "#header")
        seen["admin product: save"] = page.evaluate(STYLE, "input[type=submit][name=_save]")
        shot(page, "admin-product")
        page.goto(f"{base}/dashboard/")
        look(page, "dashboard: header", ".site-header")
        shot(page, "dashboard")
    finally:
        context.close()

    fonts = {style["font"] for style in seen.values()}
    assert len(fonts) == 1, seen
    assert fonts.pop().startswith("system-ui")
    painted = {name: style["background"] for name, style in seen.items()}
    assert painted == {name: (brand_dark if name == "admin product: save" else brand) for name in seen}, (
        painted
    )
    buttons = {name: style["radius"] for name, style in seen.items() if not name.endswith(("header", "bar"))}
    assert set(buttons.values()) <= {design_token("radius-sm"), design_token("radius")}, buttons
