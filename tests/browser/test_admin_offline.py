"""The admin's product page in a real browser at 1440x900, in French, with no network (issue 16):
the FR / EN / IT tabs form from our own script (no jQuery UI from a CDN), one "Nom" field shows at a
time, the tabs switch by click and by arrow keys, and the page (variants inline included) fits the
window. Screenshot: docs/screenshots/admin-product-fr.png.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from catalog.models import OptionType, OptionValue
from tests.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1440, "height": 900}
PASSWORD = "pass-1234-word"  # UserFactory's
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def seed() -> dict:
    user = UserFactory(is_staff=True, is_superuser=True)
    size = OptionType.objects.create(code="taille", name_fr="Taille", name_en="Size", name_it="Taglia")
    values = [
        OptionValue.objects.create(option_type=size, code=code, name_fr=code.upper(), position=n)
        for n, code in enumerate(["s", "m", "l", "xl"])
    ]
    product = ProductFactory(
        category=CategoryFactory(name="Chemises"),
        name_fr="Chemise en lin",
        name_en="Linen shirt",
        name_it="Camicia di lino",
        description_fr="Une chemise légère, coupe droite.",
        description_en="A light shirt, straight cut.",
        brand="Atelier Corse",
    )
    product.option_types.add(size)
    for value in values:
        variant = VariantFactory(product=product, sku=f"CHEM-LIN-BLANC-{value.code.upper()}")
        variant.option_values.add(value)
    return {"user": user, "product": product, "option_type": size}


@pytest.fixture
def browser_page(chromium_browser):
    context = chromium_browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_product_page_tabs_work_offline_and_fit(live_server, browser_page, in_thread):
    data = in_thread(seed)
    page = browser_page
    base = live_server.url
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, base, data["user"])

    page.goto(f"{base}/admin/catalog/product/{data['product'].pk}/change/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    name_tabs = page.locator(".mt-tabs").filter(has=page.locator("#id_name_fr")).get_by_role("tab")
    expect(name_tabs).to_have_text(["Français", "English", "Italiano"])
    expect(name_tabs.nth(0)).to_have_attribute("aria-selected", "true")

    # one "Nom" field at a time: the French one, labelled without "[fr]"
    visible_names = page.locator("input[name^='name_']:visible")
    expect(visible_names).to_have_count(1)
    expect(visible_names).to_have_value("Chemise en lin")
    expect(page.locator("label[for='id_name_fr']")).to_contain_text("Nom")
    expect(page.locator("label[for='id_name_fr']")).not_to_contain_text("[fr]")

    # the English tab shows the English field, on every translated field of the page
    name_tabs.nth(1).click()
    expect(page.locator("#id_name_en")).to_be_visible()
    expect(page.locator("#id_name_en")).to_have_value("Linen shirt")
    expect(page.locator("#id_name_fr")).to_be_hidden()
    expect(page.locator("#id_description_en")).to_be_visible()
    expect(page.locator("#id_description_fr")).to_be_hidden()

    # the keyboard: the arrow keys move between the tabs (and show their panel)
    name_tabs.nth(1).focus()
    page.keyboard.press("ArrowRight")
    expect(name_tabs.nth(2)).to_have_attribute("aria-selected", "true")
    expect(name_tabs.nth(2)).to_be_focused()
    expect(page.locator("#id_name_it")).to_be_visible()
    panel_id = name_tabs.nth(2).get_attribute("aria-controls")
    expect(page.locator(f"#{panel_id}")).to_have_attribute("role", "tabpanel")
    page.keyboard.press("Home")
    expect(page.locator("#id_name_fr")).to_be_visible()

    # the page, variants inline included, fits a 1440 px window
    expect(page.locator("#variants-group tbody tr.has_original")).to_have_count(4)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "admin-product-fr.png"), full_page=True)
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth,"
        " document.querySelector('#variants-group table').scrollWidth]"
    )
    assert widths[0] <= widths[1], widths

    # the option type's values (a tabular inline): one name column with tabs, one field per row
    page.goto(f"{base}/admin/catalog/optiontype/{data['option_type'].pk}/change/")
    expect(page.locator("#values-group .mt-tabs").first.get_by_role("tab")).to_have_text(
        ["Français", "English", "Italiano"]
    )
    # four values and the one blank row (extra = 1)
    expect(page.locator("#values-group input[name$='-name_fr']:visible")).to_have_count(5)
    expect(page.locator("#values-group input[name$='-name_en']:visible")).to_have_count(0)
    page.get_by_role("tab", name="English").first.click()
    expect(page.locator("#values-group input[name$='-name_en']:visible")).to_have_count(5)
    expect(page.locator("#values-group input[name$='-name_fr']:visible")).to_have_count(0)
    # a row added by "add another" gets its tabs too, showing the chosen language
    page.locator("#values-group .add-row a").click()
    expect(page.locator("#values-group input[name$='-name_en']:visible")).to_have_count(6)

    assert requested, "the page made no request at all?"
    outside = [
        url for url in requested if urlsplit(url).hostname not in LOCAL_HOSTS and not url.startswith("data:")
    ]
    assert outside == []
