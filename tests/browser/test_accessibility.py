"""axe-core (the accessibility engine of Lighthouse and browser extensions, bundled by
axe-playwright-python: nothing downloaded) finds no serious or critical violation on the pages people
use: the shop at phone size in the three languages, the staff screens and the stock grid at 1440x900.
"""

import pytest

from demo.seed import logistics as logistics_demo
from tests.storefront.storefront_data import Shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
PASSWORD = "pass-1234-word"  # UserFactory's
SERIOUS = {"serious", "critical"}


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def seed() -> str:
    shop = Shop()
    product = shop.tshirt("Calvi linen tee", price="20.0000", aja=2, bas=1)
    shop.tshirt("Bastia tee", aja=1)
    logistics_demo.seed()
    return product.slug


@pytest.mark.parametrize("language", ["fr", "en", "it"])
def test_the_shop_on_a_phone_has_no_serious_violation(chromium_browser, asgi_server, in_thread, language):
    slug = in_thread(seed)
    context = chromium_browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    base = f"{asgi_server.base_url}/{language}"
    found = {}
    try:
        for path in ["/", "/c/clothing/", f"/p/{slug}/", "/search/?q=tee", "/search/?q=zzzz", "/cart/",
                     "/account/login/", "/account/signup/"]:  # fmt: skip
            page.goto(base + path)
            problems = violations(page)
            if problems:
                found[path] = problems
    finally:
        context.close()
    assert found == {}


def staff_seed() -> None:
    from accounts.models import Role
    from tests.factories import UserFactory

    seed()
    UserFactory(role=Role.MANAGER, email="a11y.manager@example.com", is_staff=True)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_staff_screens_and_the_stock_grid_have_no_serious_violation(
    chromium_browser, asgi_server, in_thread, language
):
    in_thread(staff_seed)
    context = chromium_browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    base = asgi_server.base_url
    found = {}
    try:
        page.goto(f"{base}/admin/login/?next=/stock/")
        page.fill("#id_username", "a11y.manager@example.com")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/stock/")
        context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        for path in ["/stock/", "/backoffice/orders/", "/dashboard/", "/dashboard/?period=today"]:
            page.goto(base + path)
            problems = violations(page)
            if problems:
                found[path] = problems
    finally:
        context.close()
    assert found == {}
