"""E-reservation in Chromium, served by uvicorn on PostgreSQL: a shopper on a phone (390x844), in
French, reserves a T-shirt at a store to try it; a cashier at 1280x800 finds a reservation on the
till's Reservations screen (with its count badge), keeps one line, drops the other and sells it.

Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshots into docs/screenshots/ereserve-*.png.
"""

import os
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from inventory.models import StockLevel
from orders.models import EReservation, Order
from tests.browser.test_pos import new_tablet, open_register, seed, sign_in  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,
    pytest.mark.django_db(transaction=True),
]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
SCROLL_TO_STORES = (
    "window.scrollBy(0, document.querySelector('.reserve-stores').getBoundingClientRect().top - 200)"
)


def shot(page, name: str) -> None:
    path = Path(tempfile.gettempdir()) / f"{name}-{os.getpid()}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 5_000
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} overflows"
    if os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / f"{name}.png")


def seed_reservation() -> str:
    from orders.services import ereservation
    from orders.services.ereservation import ReserveLine
    from tests.browser.test_pos import HERE

    seed()
    from catalog.models import Variant

    shirt, honey = Variant.objects.get(sku="LIN-SHIRT-M-WHT"), Variant.objects.get(sku="MIEL-MAQUIS-250")
    order = ereservation.reserve_in_store(
        lines=[ReserveLine(shirt, 2), ReserveLine(honey, 1)],
        store_code=HERE,
        name="Lucia Costa",
        email="lucia@example.com",
        phone="06 12 34 56 78",
        language="en",
    )
    return order.number


def test_the_till_sells_what_the_customer_keeps(asgi_server, new_tablet, in_thread):  # noqa: F811
    number = in_thread(seed_reservation)
    page = new_tablet().new_page()
    sign_in(page, asgi_server.base_url, "marie@pos.example")
    open_register(page, "pxa-1", "100")

    badge = page.locator("#ereserve-count")
    expect(badge).to_have_text("1")
    page.locator('.nav-btn[data-go="ereserve"]').click()
    row = page.locator(f'.ereserve[data-number="{number}"]')
    expect(row).to_contain_text("Lucia Costa")
    expect(row).to_contain_text("2 × Chemise en lin")
    shot(page, "ereserve-till-list")

    # She keeps the shirts, not the honey.
    row.get_by_label("Keep Miel du maquis 250 g").uncheck()
    row.get_by_role("button", name="Sell").click()
    expect(page.locator("#ereserve-sell-total")).to_contain_text(re.compile(r"24[.,]00"))
    expect(page.locator("#ereserve-amount")).to_have_value("24.00")
    shot(page, "ereserve-till-sell")
    page.locator("#ereserve-sell-form").get_by_role("button", name="Take payment and sell").click()
    expect(page.locator("#toast")).to_contain_text(f"Reservation {number} sold")
    expect(row).to_have_count(0)
    expect(badge).to_be_hidden()
    expect(page.locator("#ereserve-done")).to_contain_text("sold")
    shot(page, "ereserve-till-sold")

    order = Order.objects.get(number=number)
    sale = EReservation.objects.get(order=order).sale_order
    assert (order.status, sale.total_gross) == ("bought_in_store", Decimal("24.00"))
    levels = dict(StockLevel.objects.filter(location__code="PXA").values_list("variant__sku", "on_hand"))
    reserved = sum(StockLevel.objects.filter(location__code="PXA").values_list("reserved", flat=True))
    assert (levels, reserved) == ({"LIN-SHIRT-M-WHT": 3, "MIEL-MAQUIS-250": 8}, 0)


def seed_shop() -> str:
    from tests.storefront.storefront_data import Shop

    shop = Shop()
    shop.aja.address_line = "2 cours Napoléon"
    shop.aja.postal_code, shop.aja.city = "20000", "Ajaccio"
    shop.aja.save()
    product = shop.tshirt("Calvi linen tee", price="20.0000", aja=3, name_fr="T-shirt en lin Calvi")
    return product.slug


def test_a_shopper_reserves_on_a_phone_in_french(asgi_server, chromium_browser, in_thread):
    slug = in_thread(seed_shop)
    context = chromium_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{asgi_server.base_url}/fr/p/{slug}/")
        button = page.get_by_role("button", name="Réserver pour essayer en boutique")
        button.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, 250)")
        shot(page, "ereserve-phone-product")
        button.click()

        expect(page.get_by_role("heading", name="Réserver pour essayer en boutique")).to_be_visible()
        page.get_by_label(re.compile("Réserver à Ajaccio")).check()
        page.get_by_label("Nom").fill("Lucia Costa")
        page.get_by_label("E-mail").fill("lucia@example.com")
        page.get_by_label("Téléphone").fill("06 12 34 56 78")
        page.locator(".reserve-stores").scroll_into_view_if_needed()
        page.evaluate(SCROLL_TO_STORES)
        shot(page, "ereserve-phone-form")
        page.get_by_role("button", name="Réserver, payer en boutique").click()

        expect(page.get_by_role("heading", name="Vos articles vous attendent à Ajaccio")).to_be_visible()
        number = page.locator("[data-reservation-number]").inner_text()
        expect(page.locator(".reservation-hero")).to_contain_text("Gardé jusqu'au")
        shot(page, "ereserve-phone-confirmation")
        order = Order.objects.get(number=number)
        assert (order.status, order.language, order.lines.get().quantity) == ("reserved", "fr", 1)

        page.get_by_role("button", name="Annuler la réservation").click()
        expect(page.get_by_role("heading", name="Réservation annulée")).to_be_visible()
        assert Order.objects.get(number=number).status == "cancelled"
    finally:
        context.close()
