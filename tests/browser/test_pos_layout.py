"""Issue 16 (the till): nothing clipped, in every language, on the store tablets' two screen sizes.

For FR, EN and IT, one page walks every screen a cashier reaches (register picker, sale with
favourites, a promotion and a customer's cart, payment, sale complete, the app's own dialog, returns
with a found sale, exchange, pickups, closing, Z report) and on each, at 1024x768 and 1280x800,
measures every visible button, label, table cell, badge, legend, dt/dd: its text must fit its box
(``scrollWidth <= clientWidth + 1``; and the height too where the overflow is hidden), it must not
stick out of the box that scrolls or clips it, and the page must not scroll sideways. An ellipsis
counts as fitting only where the full text is in a ``title``.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inventory import services as stock
from inventory.models import LocationKind
from pos.models import FavouriteItem, Register
from pricing.models import DiscountKind, Promotion
from tests.factories import LocationFactory, ProductFactory, VariantFactory, cashier

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,
    pytest.mark.django_db(transaction=True),
]

SIZES = [{"width": 1024, "height": 768}, {"width": 1280, "height": 800}]
PASSWORD = "pass-1234-word"
HERE = "PXL"  # a location code of our own: Redis pub/sub is shared with other test runs
SHIRT_EAN, HONEY_EAN = "3760000000510", "3760000000527"

MEASURE = r"""() => {
  const bad = [];
  const seen = (node) => {
    if (node.closest('[hidden], .visually-hidden')) return false;
    const style = getComputedStyle(node);
    if (style.display === 'none' || style.visibility === 'hidden') return false;
    const rect = node.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0;
  };
  const titled = (node) => !!node.closest('[title]') || !!node.querySelector('[title]');
  const name = (node) => {
    const id = node.id ? '#' + node.id : '';
    const cls = typeof node.className === 'string' && node.className
      ? '.' + node.className.trim().split(/\s+/).join('.') : '';
    return node.tagName.toLowerCase() + id + cls + ' "' + (node.textContent || '').trim().slice(0, 40) + '"';
  };
  const root = document.querySelector('dialog[open]') || document;
  const nodes = root.querySelectorAll(
    'button, label, th, td, .badge, legend, dt, dd, h1, h2, .btn, .fav, .tag, .promo > *');
  for (const node of nodes) {
    if (!seen(node)) continue;
    const style = getComputedStyle(node);
    if (style.display === 'inline') continue;  // no box of its own: its block is measured
    const ellipsis = style.textOverflow === 'ellipsis';
    if (node.scrollWidth > node.clientWidth + 1 && !(ellipsis && titled(node))) {
      bad.push('wide ' + name(node) + ' ' + node.scrollWidth + '>' + node.clientWidth);
    }
    const clips = style.overflowY === 'hidden' || style.overflowY === 'clip';
    if (clips && node.scrollHeight > node.clientHeight + 1) {
      bad.push('tall ' + name(node) + ' ' + node.scrollHeight + '>' + node.clientHeight);
    }
    // Sticking out of the nearest box that clips or scrolls it (a column, a dialog, the viewport).
    const rect = node.getBoundingClientRect();
    let box = node.parentElement;
    while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
    const limit = box ? box.getBoundingClientRect().right : window.innerWidth;
    if (rect.right > Math.min(limit, window.innerWidth) + 1) {
      bad.push('out ' + name(node) + ' right ' + Math.round(rect.right) + '>' + Math.round(limit));
    }
  }
  // A label and its amount on one line keep a space between them ("en−1,29 €" was not).
  for (const row of root.querySelectorAll('.promo, .totals__rows > div, .pay__figures > div')) {
    if (!seen(row) || row.children.length < 2) continue;
    const a = row.children[0].getBoundingClientRect();
    const b = row.children[row.children.length - 1].getBoundingClientRect();
    const sameLine = a.top < b.bottom && b.top < a.bottom;
    if (sameLine && a.right > b.left - 4 && b.left > a.left) {
      bad.push('touching ' + name(row) + ' ' + Math.round(b.left - a.right) + 'px apart');
    }
  }
  // A <select> clips its chosen option without any scroll size to show it: measure the text.
  const canvas = document.createElement('canvas').getContext('2d');
  for (const node of root.querySelectorAll('select')) {
    if (!seen(node) || node.closest('.lang-form')) continue;  // the language picker shows a code
    const style = getComputedStyle(node);
    canvas.font = style.font;
    const text = node.selectedOptions.length ? node.selectedOptions[0].textContent : '';
    const room = node.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
    if (canvas.measureText(text).width > room + 1) {
      bad.push('select ' + name(node) + ' ' + Math.round(canvas.measureText(text).width) + '>' + room);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    bad.push('page scrolls sideways: ' + document.documentElement.scrollWidth + '>' + window.innerWidth);
  }
  return bad;
}"""


def seed(language: str) -> str:
    here = LocationFactory(code=HERE, name="Ajaccio — Cours Napoléon", kind=LocationKind.STORE)
    Register.objects.create(store=here, code="pxl-1", name="Caisse 1")
    shirt = VariantFactory(
        sku="LIN-SHIRT-L-WHT",
        ean13=SHIRT_EAN,
        product=ProductFactory(name="Chemise en lin à manches longues", base_price_ht=Decimal("10.00")),
    )
    honey = VariantFactory(
        sku="MIEL-MAQUIS-500",
        ean13=HONEY_EAN,
        product=ProductFactory(name="Miel du maquis 500 g", base_price_ht=Decimal("6.25")),
    )
    bread = VariantFactory(
        sku="PAIN-CAMPAGNE", product=ProductFactory(name="Pain de campagne", base_price_ht=Decimal("3.00"))
    )
    figs = VariantFactory(
        sku="FIGUES-VRAC", product=ProductFactory(name="Figues fraîches", base_price_ht=Decimal("4.00"))
    )
    for variant in (shirt, honey, bread, figs):
        stock.receive_stock(variant=variant, location=here, quantity=20, reference="PO-1")
    FavouriteItem.objects.create(store=here, variant=bread, position=1, label="Pain de campagne")
    FavouriteItem.objects.create(
        store=here, variant=figs, position=2, label="Figues fraîches (vrac, au kilo)"
    )
    now = timezone.now()
    Promotion.objects.create(
        name="Promotion d'automne en magasin",
        kind=DiscountKind.PERCENT,
        value=Decimal("10"),
        location=here,
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1),
    )
    user = cashier(
        here, email=f"layout-{language}@pos.example", first_name="Marie", preferred_language=language
    )
    return user.email


def check(page, where: str, problems: list) -> None:
    for size in SIZES:
        page.set_viewport_size(size)
        page.wait_for_timeout(60)  # one layout after the resize
        for problem in page.evaluate(MEASURE):
            problems.append(f"{where} {size['width']}x{size['height']}: {problem}")
    page.set_viewport_size(SIZES[1])


@pytest.mark.parametrize("language", ["fr", "en", "it"])
def test_no_label_or_button_is_clipped_on_any_screen(asgi_server, chromium_browser, in_thread, language):
    email = in_thread(seed, language)
    context = chromium_browser.new_context(viewport=SIZES[1], locale="en-GB", has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        page.goto(f"{asgi_server.base_url}/pos/")
        page.fill("#id_username", email)
        page.fill("#id_password", PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(f"{asgi_server.base_url}/pos/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.locator('[data-register="pxl-1"]').click()
        expect(page.locator("#open-form")).to_be_visible()
        check(page, "picker", problems)
        page.fill("#opening-float", "100")
        page.locator("#open-form button[type=submit]").click()
        expect(page.locator("#screen-sale")).to_be_visible()
        page.wait_for_function("() => window.PosApp && window.PosApp.state.catalog.size >= 4")
        expect(page.locator("#favourites .fav")).to_have_count(2)
        check(page, "sale-empty", problems)

        for code in (SHIRT_EAN, HONEY_EAN, SHIRT_EAN):
            page.keyboard.type(code, delay=2)
            page.keyboard.press("Enter")
        page.locator('#favourites [data-fav="FIGUES-VRAC"]').click()
        expect(page.locator("#promos .promo").first).to_be_visible()  # the promotion, once quoted
        check(page, "sale-cart", problems)

        page.locator('[data-action="clear-cart"]').click()
        expect(page.locator("#dlg-ask")).to_be_visible()
        check(page, "dialog", problems)
        page.keyboard.press("Escape")
        expect(page.locator("#dlg-ask")).to_be_hidden()

        page.locator("#pay-button").click()
        page.locator('[data-tender="card"]').click()
        page.fill("#tender-ref", "AUTH-1")
        check(page, "payment-entry", problems)
        page.locator('[data-tender="card"]').click()
        expect(page.locator("#complete")).to_be_enabled()
        check(page, "payment", problems)
        page.locator("#complete").click()
        expect(page.locator("#done")).to_be_visible()
        number = page.locator("#done").get_attribute("data-number")
        check(page, "done", problems)

        page.locator('.nav-btn[data-go="returns"]').click()
        page.fill("#return-number", number)
        page.locator("#return-find button[type=submit]").click()
        expect(page.locator("#return-form")).to_be_visible()
        expect(page.locator("#return-email")).to_be_visible()  # a till sale's receipt can be e-mailed
        check(page, "returns", problems)

        page.locator('.nav-btn[data-go="exchange"]').click()
        page.fill("#exchange-number", number)
        page.locator("#exchange-find button[type=submit]").click()
        expect(page.locator("#exchange-body")).to_be_visible()
        page.fill('[data-exchange-back="MIEL-MAQUIS-500"]', "1")
        page.fill("#exchange-code", "PAIN-CAMPAGNE")
        page.press("#exchange-code", "Enter")
        expect(page.locator('#exchange-new tr[data-sku="PAIN-CAMPAGNE"]')).to_be_visible()
        check(page, "exchange", problems)

        page.locator('.nav-btn[data-go="pickups"]').click()
        expect(page.locator("#screen-pickups")).to_be_visible()
        check(page, "pickups", problems)

        page.locator('.nav-btn[data-go="close"]').click()
        expect(page.locator("#count-grid .count").first).to_be_visible()
        page.fill("#card-total", re.sub(r"[^\d.]", "", "0.00"))
        check(page, "close", problems)
        page.locator("#close-form button[type=submit]").click()
        expect(page.locator("#dlg-ask")).to_be_visible()
        check(page, "close-dialog", problems)
        page.locator("#ask-ok").click()
        expect(page.locator("#screen-z")).to_be_visible()
        check(page, "z", problems)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
