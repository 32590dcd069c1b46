"""The search box's suggestions in a real browser: typing a misspelt word opens the listbox (ARIA
combobox), Down/Up move the active option (aria-activedescendant), Escape closes, Enter opens the
active suggestion; no CSP violation. Debian's Chromium, pages served by uvicorn on PostgreSQL + Redis."""

import re

import pytest
from playwright.sync_api import expect

from tests.storefront.storefront_data import Shop

from .test_csp import Watch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def seed() -> None:
    shop = Shop()
    shop.tshirt("Linen shirt", name_fr="Chemise en lin", slug="chemise", aja=2)
    shop.tshirt("Embroidered shirt", name_fr="Chemise brodée", slug="chemise-brodee", aja=1)
    shop.jam("Fig jam", name_fr="Confiture de figues", aja=2)


def test_keyboard_navigation_in_the_suggestions(asgi_server, desktop_page, in_thread):
    in_thread(seed)
    page = desktop_page
    watch = Watch(page)
    page.goto(f"{asgi_server.base_url}/fr/")
    box = page.get_by_role("combobox", name="Rechercher dans la boutique")
    listbox = page.locator("#q-suggest")
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press_sequentially("chemse", delay=30)  # a typo

    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("Chemise")
    names = options.all_inner_texts()
    assert any("Chemise en lin" in n for n in names) and any("Chemise brodée" in n for n in names)
    assert "Voir tous les résultats pour “chemse”" in names[-1]
    watch.collect()

    box.press("ArrowDown")
    first_id = options.nth(0).get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    box.press("ArrowUp")  # wraps to the last option: every result
    expect(box).to_have_attribute("aria-activedescendant", options.last.get_attribute("id"))
    expect(box).to_be_focused()  # the focus never leaves the field

    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".+"))

    box.press("ArrowDown")  # opens again
    expect(listbox).to_be_visible()
    box.press("ArrowDown")
    target = options.nth(0).get_attribute("data-url")
    box.press("Enter")
    page.wait_for_url(re.compile(re.escape(target) + "$"))
    expect(page.locator("h1")).to_contain_text("Chemise")

    watch.collect()
    watch.assert_clean()
