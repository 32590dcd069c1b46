"""No untranslated string and no console error (issue 16), walked in a real browser in French and
Italian: the shop on a phone (390x844: home, category, product, search, empty search, cart, checkout,
sign-in, the portal's pages signed in, the blog), the till at 1280x800, and the staff screens (back
office orders, stock grid, dashboard, admin index) at 1440x900.

"Untranslated" is decided by our own catalog: every msgid of locale/en/LC_MESSAGES/django.po whose
French (or Italian) translation differs from it (Django's gettext under ``translation.override``) is
English that must not be read on a French (or Italian) page. The page's visible text nodes, and its
placeholders and aria-labels, are compared whole (whitespace collapsed) with those; strings with
placeholders are left out (they never appear as written), and so are the data the test seeds
(product, store and people's names) and the language switcher's own names of the languages.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect

from content.models import ArticleStatus
from inventory import services as stock
from inventory.models import LocationKind
from pos.models import Register
from tests.accounts.portal_support import PASSWORD as SHOPPER_PASSWORD
from tests.accounts.portal_support import shopper
from tests.content.blog_data import article
from tests.core.test_locale import po_entries
from tests.factories import LocationFactory, ProductFactory, UserFactory, VariantFactory, cashier
from tests.storefront.storefront_data import Shop, variant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,
    pytest.mark.django_db(transaction=True),
]

LANGUAGES = ("fr", "it")
PHONE = {"width": 390, "height": 844}
TILL = {"width": 1280, "height": 800}
STAFF = {"width": 1440, "height": 900}
LOCALES = {"fr": "fr-FR", "it": "it-IT"}
STAFF_PASSWORD = "pass-1234-word"  # UserFactory's
EMAIL = "laetitia@example.com"
# Shown in their own language on purpose, whatever the page's (the language switcher).
LANGUAGE_NAMES = {"Français", "English", "Italiano"}

# Every visible text node (whitespace collapsed), and the placeholders and aria-labels, of the page.
VISIBLE_TEXTS = r"""() => {
  const out = [];
  const shown = (el) => {
    if (!el || el.closest('[hidden], template, script, style, noscript')) return false;
    if (el.closest('.visually-hidden, .sr-only')) return true;  // read by screen readers: counts
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') return false;
    return el.getClientRects().length > 0;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\s+/g, ' ').trim();
    if (text && shown(node.parentElement)) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], input[type=submit][value]')) {
    if (!shown(el)) continue;
    for (const name of ['placeholder', 'aria-label', 'value']) {
      if (name === 'value' && el.type !== 'submit') continue;
      const text = (el.getAttribute(name) || '').replace(/\s+/g, ' ').trim();
      if (text) out.push(text);
    }
  }
  out.push(document.title.replace(/\s+/g, ' ').trim());
  return out;
}"""


def english_strings(language: str) -> set[str]:
    """The msgids of our catalog that ``language`` translates to something else."""
    found = set()
    with translation.override(language):
        for (context, msgid), _msgstr in po_entries("en").items():
            if not msgid.strip() or "%" in msgid or "{" in msgid or "\\" in msgid:
                continue
            translated = pgettext(context, msgid) if context else gettext(msgid)
            if translated != msgid:
                found.add(" ".join(msgid.split()))
    return found - LANGUAGE_NAMES


class Walk:
    """Opens pages, records console errors and English strings seen per page."""

    def __init__(self, page, language: str, data: Iterable[str] = ()) -> None:
        self.page, self.language = page, language
        self.english = english_strings(language) - set(data)
        assert {"Add to cart", "Sign in", "Search"} <= self.english  # the catalog was read
        self.problems: list[str] = []
        self.where = ""
        page.on(
            "console",
            lambda msg: msg.type == "error" and self.problems.append(f"{self.where}: console: {msg.text}"),
        )
        page.on("pageerror", lambda exc: self.problems.append(f"{self.where}: page error: {exc}"))

    def goto(self, url: str, name: str, *, status: int = 200) -> None:
        self.where = f"{self.language} {name}"
        response = self.page.goto(url)
        assert response is not None and response.status == status, (self.where, response and response.status)
        self.page.wait_for_load_state("networkidle")
        self.check(name)

    def check(self, name: str) -> None:
        self.where = f"{self.language} {name}"
        texts = self.page.evaluate(VISIBLE_TEXTS)
        if len(texts) < 5:  # a blank or broken page would pass for a translated one
            self.problems.append(f"{self.where}: only {len(texts)} texts seen")
        for text in dict.fromkeys(texts):
            if text in self.english:
                self.problems.append(f"{self.where}: untranslated {text!r}")


# --- the shop on a phone ------------------------------------------------------------------------------


def seed_shop() -> dict:
    shop = Shop()
    warehouse = LocationFactory(code="WEB", name="Entrepôt", kind=LocationKind.WAREHOUSE)
    product = shop.tshirt(
        "Calvi linen tee",
        price="20.0000",
        aja=2,
        name_fr="T-shirt en lin Calvi",
    )
    stock.receive_stock(variant=variant(f"{product.slug.upper()}-M-BLUE"), location=warehouse, quantity=4)
    post = article(
        "maquis-honey",
        title="Maquis honey",
        title_fr="Le miel du maquis",
        title_it="Il miele della macchia",
        summary_it="Della macchia.",
        body_it="## Miele\n\nDel testo.",
        status=ArticleStatus.PUBLISHED,
        products=[product],
    )
    user = shopper(email=EMAIL, first_name="Laetitia", last_name="Santoni")
    return {
        "slug": product.slug,
        "article": post.slug,
        "data": {
            "T-shirt en lin Calvi",
            "Calvi linen tee",
            "Calvi linen tee (it)",
            "Laetitia",
            "Santoni",
            EMAIL,
        },
        "user_id": user.pk,
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shop_on_a_phone_speaks_the_language(asgi_server, chromium_browser, in_thread, language):
    data = in_thread(seed_shop)
    base = asgi_server.base_url
    context = chromium_browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale=LOCALES[language]
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    walk = Walk(page, language, data["data"])
    try:
        lang = f"{base}/{language}"
        walk.goto(f"{lang}/", "home")
        walk.goto(f"{lang}/c/women-t-shirts/", "category")
        walk.goto(f"{lang}/p/{data['slug']}/", "product")
        walk.goto(f"{lang}/search/?q=calvi", "search")
        walk.goto(f"{lang}/search/?q=zzqxw", "empty search")
        walk.goto(f"{lang}/blog/", "blog")
        walk.goto(f"{lang}/blog/{data['article']}/", "article")
        walk.goto(f"{lang}/account/login/", "sign-in")
        walk.goto(f"{lang}/account/signup/", "sign-up")

        page.goto(f"{lang}/p/{data['slug']}/")
        page.locator('label.picker__value:has(input[name="opt-size"][value="m"])').click()
        page.locator('label.picker__value:has(input[name="opt-color"][value="blue"])').click()
        page.locator("form.buy button[type=submit]").first.click()
        expect(page.locator("[data-cart-count]").first).to_have_text("1")
        walk.goto(f"{lang}/cart/", "cart")
        walk.goto(f"{lang}/checkout/", "checkout")
        page.locator('input[name="delivery_method"][value="home"]').check()
        walk.check("checkout, home delivery")

        page.goto(f"{lang}/account/login/")
        page.locator("#id_username").fill(EMAIL)
        page.locator("#id_password").fill(SHOPPER_PASSWORD)
        page.locator('form[action$="/account/login/"] button[type=submit]').click()
        page.wait_for_url(f"{lang}/account/**")
        for path, name in [
            ("/account/", "portal"),
            ("/account/orders/", "portal orders"),
            ("/account/invoices/", "portal invoices"),
            ("/account/loyalty/", "portal points"),
            ("/account/wishlist/", "portal wishlist"),
            ("/account/addresses/", "portal addresses"),
            ("/account/addresses/add/", "portal new address"),
            ("/account/profile/", "portal details"),
        ]:
            walk.goto(f"{lang}{path}", name)
    finally:
        context.close()
    assert walk.problems == []


# --- the till -------------------------------------------------------------------------------------------


def seed_till(language: str) -> dict:
    here = LocationFactory(code="UTW", name="Ajaccio — Cours Napoléon", kind=LocationKind.STORE)
    Register.objects.create(store=here, code="utw-1", name="Caisse 1")
    bread = VariantFactory(
        sku="PAIN-CAMPAGNE", product=ProductFactory(name="Pain de campagne", base_price_ht=Decimal("3.00"))
    )
    stock.receive_stock(variant=bread, location=here, quantity=20, reference="PO-1")
    user = cashier(
        here, email=f"walk-{language}@pos.example", first_name="Marie", preferred_language=language
    )
    return {"email": user.email, "data": {"Pain de campagne", "Marie", "Caisse 1", here.name}}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_till_speaks_the_language(asgi_server, chromium_browser, in_thread, language):
    data = in_thread(seed_till, language)
    base = asgi_server.base_url
    context = chromium_browser.new_context(viewport=TILL, locale=LOCALES[language], has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    walk = Walk(page, language, data["data"])
    try:
        page.goto(f"{base}/pos/")
        walk.check("till sign-in")
        page.fill("#id_username", data["email"])
        page.fill("#id_password", STAFF_PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(f"{base}/pos/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.locator('[data-register="utw-1"]').click()
        expect(page.locator("#open-form")).to_be_visible()
        walk.check("till register picker")
        page.fill("#opening-float", "100")
        page.locator("#open-form button[type=submit]").click()
        expect(page.locator("#screen-sale")).to_be_visible()
        page.wait_for_function("() => window.PosApp && window.PosApp.state.catalog.size >= 1")
        walk.check("till sale")
        for screen in ("returns", "exchange", "pickups", "close"):
            page.locator(f'.nav-btn[data-go="{screen}"]').click()
            page.wait_for_timeout(150)
            walk.check(f"till {screen}")
    finally:
        context.close()
    assert walk.problems == []


# --- the staff screens ------------------------------------------------------------------------------------


def seed_staff(language: str) -> dict:
    Shop().tshirt("Calvi linen tee", price="20.0000", aja=2, name_fr="T-shirt en lin Calvi")
    user = UserFactory(
        email=f"staff-{language}@example.com",
        first_name="Claire",
        is_staff=True,
        is_superuser=True,
        preferred_language=language,
    )
    return {"email": user.email, "data": {"Claire", "Calvi linen tee", "T-shirt en lin Calvi", user.email}}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_staff_screens_speak_the_language(asgi_server, chromium_browser, in_thread, language):
    data = in_thread(seed_staff, language)
    base = asgi_server.base_url
    context = chromium_browser.new_context(viewport=STAFF, locale=LOCALES[language])
    context.set_default_timeout(10_000)
    page = context.new_page()
    walk = Walk(page, language, data["data"])
    try:
        walk.goto(f"{base}/admin/login/", "admin sign-in")
        page.fill("#id_username", data["email"])
        page.fill("#id_password", STAFF_PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        walk.check("admin index")
        walk.goto(f"{base}/backoffice/orders/", "back office orders")
        walk.goto(f"{base}/stock/", "stock grid")
        walk.goto(f"{base}/dashboard/", "dashboard")
    finally:
        context.close()
    assert walk.problems == []
