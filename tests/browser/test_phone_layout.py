"""The shop on a phone (390x844) in French, English and Italian, signed in and not: no page scrolls
sideways (issue 16: Italian pages did when signed in), the checkout's country select shows the
country's whole name (it was cut to "Franc"), and the filter panel of a listing does not sit open
above the results. Also takes the README's phone screenshots (docs/screenshots/) with
``UPDATE_SCREENSHOTS=1``."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demo.seed import logistics as logistics_demo
from inventory import services as stock
from inventory.models import LocationKind
from tests.accounts.portal_support import PASSWORD, shopper
from tests.factories import LocationFactory
from tests.storefront.storefront_data import Shop, variant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.real_passwords,  # the shopper signs in to a server in a child process
]

PHONE = {"width": 390, "height": 844}
LANGUAGES = ("fr", "en", "it")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EMAIL = "laetitia@example.com"
ACCOUNT = {"fr": "Mon compte", "en": "My account", "it": "Il mio account"}
COUNTRY = {"fr": "France", "en": "France", "it": "Francia"}

# How much wider than its box the selected option's text is (> 0: cut). The text is measured in the
# select's own font; the box is the select's width less its paddings, borders and the arrow (24 px).
SELECT_TEXT_OVERFLOW = """(select) => {
  const style = getComputedStyle(select);
  const canvas = document.createElement("canvas").getContext("2d");
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = canvas.measureText(select.options[select.selectedIndex].text).width;
  const box = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24;
  return text - box;
}"""


def seed() -> str:
    shop = Shop()
    warehouse = LocationFactory(code="WEB", name="Entrepôt", kind=LocationKind.WAREHOUSE)
    product = shop.tshirt("Calvi linen tee", price="20.0000", aja=2, name_fr="T-shirt en lin Calvi")
    stock.receive_stock(variant=variant(f"{product.slug.upper()}-M-BLUE"), location=warehouse, quantity=4)
    logistics_demo.seed()
    shopper(email=EMAIL, first_name="Laetitia", last_name="Santoni")  # password: PASSWORD
    return product.slug


@pytest.fixture
def demo_server(transactional_db):
    """As ``asgi_server`` (tests/conftest.py), but served the way ``make demo`` serves: DEBUG off,
    DJANGO_DEMO on, static files through WhiteNoise, the shop's own 404 page."""
    from django.conf import settings

    from bench._common import AsgiServer, child_env, database_url

    env = child_env(
        DATABASE_URL=database_url(settings.DATABASES["default"]),
        REDIS_URL=settings.REDIS_URL,
        DB_CONN_MAX_AGE="0",
        DJANGO_ALLOW_ASYNC_UNSAFE=None,
        DJANGO_DEBUG="0",
        DJANGO_DEMO="1",
    )
    with AsgiServer(env=env) as server:
        yield server


@pytest.fixture
def phone(chromium_browser):
    def open_context():
        context = chromium_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(10_000)
        return context

    contexts = []
    try:
        yield lambda: contexts.append(open_context()) or contexts[-1].new_page()
    finally:
        for context in contexts:
            context.close()


def assert_no_sideways_scroll(page, where: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{where} scrolls sideways: {widths[0]} px wide in {widths[1]}"


def shot(page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / f"{name}.png"))


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_no_page_scrolls_sideways_on_a_phone(demo_server, phone, in_thread, signed_in):
    slug = in_thread(seed)
    base, page = demo_server.base_url, phone()
    if signed_in:
        page.goto(f"{base}/en/account/login/")
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".shop-header__tools")).to_contain_text(ACCOUNT["en"])
    page.goto(f"{base}/en/p/{slug}/")
    page.locator("label.picker__value", has_text="M").click()
    page.locator("label.picker__value", has_text="Blue").click()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("[data-cart-count]").first).to_have_text("1")

    for language in LANGUAGES:
        pages = {
            "home": "/",
            "category": "/c/women-t-shirts/",
            "product": f"/p/{slug}/",
            "cart": "/cart/",
            "checkout": "/checkout/",
            "account": "/account/",  # the sign-in page when signed out
            "new address": "/account/addresses/add/" if signed_in else "/account/signup/",
        }
        for name, path in pages.items():
            response = page.goto(f"{base}/{language}{path}")
            assert response.status == 200, (language, name)
            if signed_in:
                expect(page.locator(".shop-header__tools")).to_contain_text(ACCOUNT[language])
            assert_no_sideways_scroll(
                page, f"{language} {name} ({'signed in' if signed_in else 'anonymous'})"
            )
            if name == "checkout":
                page.locator('input[name="delivery_method"][value="home"]').check()
                country = page.locator("select#country")
                expect(country.locator("option:checked")).to_have_text(COUNTRY[language])
                overflow = country.evaluate(SELECT_TEXT_OVERFLOW)
                assert overflow <= 0, f"{language}: the country is cut ({overflow:.0f} px too long)"


def test_the_filter_panel_does_not_cover_the_results_on_a_phone(demo_server, phone, in_thread):
    in_thread(seed)
    page = phone()

    page.goto(f"{demo_server.base_url}/it/c/women-t-shirts/?size=m")  # a filter applied: opened server-side

    panel = page.locator("details.facets")
    expect(panel).not_to_have_attribute("open", "")
    first_card = page.locator(".pgrid > *").first
    assert first_card.bounding_box()["y"] < PHONE["height"]  # the results start on the first screen
    panel.locator("summary").click()  # and the shopper can still open it
    expect(panel.locator(".facets__body")).to_be_visible()
    assert_no_sideways_scroll(page, "it category with the filters open")


def test_phone_screenshots_of_the_home_a_product_and_the_404(demo_server, phone, in_thread):
    slug = in_thread(seed)
    base, page = demo_server.base_url, phone()

    for name, path, status in (
        ("phone-fr-home", "/fr/", 200),
        ("phone-fr-product", f"/fr/p/{slug}/", 200),
        ("phone-fr-404", "/fr/cette-page-n-existe-pas/", 404),
    ):
        response = page.goto(base + path)
        assert response.status == status, path
        assert_no_sideways_scroll(page, name)
        shot(page, name)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.locator(".shop-header")).to_be_visible()
