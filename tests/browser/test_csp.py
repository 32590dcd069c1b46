"""The Content-Security-Policy holds in a real browser: every page a shopper, a cashier and staff
open (home, category, product, cart, checkout, the test payment page, the till, the stock grid, the
admin, the API docs) loads with zero CSP violations, i.e. nothing inline runs or styles without
the nonce. Debian's Chromium, pages served by uvicorn on PostgreSQL + Redis."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

from .test_pos import open_register
from .test_pos import seed as seed_till
from .test_pos import sign_in as sign_in_at_the_till
from .test_shop import buy_medium_blue
from .test_shop import seed as seed_shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,
    pytest.mark.django_db(transaction=True),
]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    " at " + (e.sourceFile || document.location.pathname) + ":" + e.lineNumber);
});
"""


class Watch:
    """Collects CSP violations from the page's events and the console on every page it visits."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.events: list[str] = []
        self.visited: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.visited.append(frame.url))

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def collect(self) -> None:
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(300)  # late inline styles (widgets) report after load
        self.events += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__cspViolations || []")]

    def assert_clean(self) -> None:
        assert self.events == [] and self.console == [], "\n".join(self.events + self.console)


def test_the_shop_from_home_to_payment_has_no_csp_violation(asgi_server, desktop_page, in_thread, tmp_path):
    slug = in_thread(seed_shop)
    page, base = desktop_page, asgi_server.base_url
    watch = Watch(page)
    response = page.goto(f"{base}/en/")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "script-src 'self'" in policy

    buy_medium_blue(page, base, slug, tmp_path)  # home, category, product, cart, checkout
    watch.collect()
    page.locator('input[name="delivery_method"][value="home"]').check()  # the checkout script runs
    page.locator('input[name="carrier"]').first.check()
    expect(page.locator("[data-shipping-total]").first).not_to_have_text("Free")
    page.get_by_label("E-mail", exact=True).fill("lea@example.com")
    page.get_by_label("First name").fill("Léa")
    page.get_by_label("Last name").fill("Casanova")
    page.get_by_label("Address", exact=True).fill("3 rue Fesch")
    page.get_by_label("Postal code").fill("20000")
    page.get_by_label("City").fill("Ajaccio")
    page.locator('input[name="provider"][value="test"]').check()
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(page).to_have_url(re.compile(r"/en/pay/test/"))
    watch.collect()
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(page).to_have_url(re.compile(r"/en/checkout/done/"))
    watch.collect()
    page.select_option("#language-switch", "it")  # the footer's auto-submitting picker, no onchange
    expect(page).to_have_url(re.compile(r"/it/"))
    watch.collect()

    assert len(watch.visited) >= 7
    watch.assert_clean()


def test_the_till_has_no_csp_violation(asgi_server, desktop_page, in_thread):
    who = in_thread(seed_till)
    page, base = desktop_page, asgi_server.base_url
    watch = Watch(page)
    sign_in_at_the_till(page, base, who["first"])
    watch.collect()
    open_register(page, "pxa-1", "100")  # the ES modules, the catalog in IndexedDB, the stock socket
    page.wait_for_timeout(500)
    watch.collect()
    watch.assert_clean()


def test_the_stock_grid_admin_and_api_docs_have_no_csp_violation(asgi_server, desktop_page, in_thread):
    in_thread(lambda: UserFactory(email="boss@example.com", is_staff=True, is_superuser=True))
    page, base = desktop_page, asgi_server.base_url
    watch = Watch(page)
    page.goto(f"{base}/admin/login/?next=/stock/")
    watch.collect()
    page.fill("#id_username", "boss@example.com")
    page.fill("#id_password", "pass-1234-word")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/stock/")
    watch.collect()
    for path in [
        "/admin/",
        "/admin/orders/order/",
        "/admin/inventory/stocklevel/",
        "/admin/accounts/user/add/",
        "/api/docs/",
        "/api/redoc/",
    ]:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        watch.collect()
    expect(page.locator("#redoc-container")).to_contain_text("Omnichannel retail platform API")
    page.goto(f"{base}/api/docs/")
    expect(page.locator("#swagger-ui")).to_contain_text("Omnichannel retail platform API")
    watch.collect()
    watch.assert_clean()
