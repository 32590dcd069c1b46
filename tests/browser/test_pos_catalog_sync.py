"""The till's catalog download in Chromium: a visible loading state, scans answered by the server
while it loads, error toasts cleared by the next good scan, and a reload that asks only the delta
(GET catalog/?since=<the stored cursor>), seen through the requests Playwright records."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.test_pos import DESKTOP, HONEY_EAN, SHIRT_EAN, cart_line, scan, seed, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,
    pytest.mark.django_db(transaction=True),
]
FULL_PAGE = re.compile(r"/api/v1/pos/catalog/\?limit=\d+&after=\d+$")  # a full download's page


def reprice_honey() -> None:
    from catalog.models import Product

    honey = Product.objects.get(variants__ean13=HONEY_EAN)
    honey.base_price_ht = Decimal("7.50")  # 9.00 TTC
    honey.save()


def test_loading_state_scans_during_loading_and_a_reload_by_delta(chromium_browser, asgi_server, in_thread):
    users = in_thread(seed)
    # No service worker: the requests go straight from the page, where Playwright sees and holds them.
    context = chromium_browser.new_context(viewport=DESKTOP, locale="en-GB", service_workers="block")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        asked: list[str] = []
        page.on(
            "request", lambda request: asked.append(request.url) if "/pos/catalog/" in request.url else None
        )
        held: list = []
        released = []

        def hold(route) -> None:  # the download hangs until released
            if released:
                route.continue_()
            else:
                held.append(route)

        page.route(FULL_PAGE, hold)

        sign_in(page, asgi_server.base_url, users["first"])
        page.locator('[data-register="pxa-1"]').click()
        page.fill("#opening-float", "100")
        page.get_by_role("button", name="Open register").click()
        expect(page.locator("#screen-sale")).to_be_visible()

        # the download runs: a visible loading state
        status = page.locator("#catalog-status")
        expect(status).to_be_visible()
        expect(status).to_contain_text("Catalog loading")
        assert page.evaluate("window.PosApp.state.catalog.size") == 0

        # a scan now is asked of the server, not refused as unknown; an unknown one says so
        page.locator("#scan").focus()
        scan(page, "3760000099999")
        expect(page.locator("#toast")).to_contain_text("Unknown barcode 3760000099999")
        scan(page, SHIRT_EAN)
        expect(cart_line(page, "LIN-SHIRT-M-WHT")).to_be_visible()
        expect(page.locator("#toast")).to_be_hidden()  # the good scan cleared the error
        assert any("code=" + SHIRT_EAN in url for url in asked)

        # the download finishes: the state goes, the catalog and its cursor are stored
        assert held, "the full download was not asked"
        released.append(True)
        for route in held:
            route.continue_()
        expect(status).to_be_hidden()
        page.wait_for_function("() => window.PosApp.state.catalog.size === 2")
        cursor = page.evaluate("window.PosStore.getMeta('catalog_cursor')")
        assert cursor and re.match(r"\d{4}-\d\d-\d\dT", cursor)

        # a price changes; the tablet reloads: it asks only what changed since its cursor
        in_thread(reprice_honey)
        asked.clear()
        page.reload()
        expect(page.locator("#screen-sale")).to_be_visible()
        page.wait_for_function(
            "() => (window.PosApp.state.catalog.get('MIEL-MAQUIS-250') || {}).price_gross === '9.00'"
        )
        expect(status).to_be_hidden()
        pages = [url for url in asked if "code=" not in url]
        assert pages and all("since=" in url for url in pages), pages
        assert page.evaluate("window.PosApp.state.catalog.size") == 2
        scan(page, HONEY_EAN)  # from the tablet's catalog, at the new price
        expect(cart_line(page, "MIEL-MAQUIS-250")).to_contain_text("9.00")
    finally:
        context.close()
