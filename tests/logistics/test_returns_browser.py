"""Portal returns in Debian's Chromium: the shopper asks a return on a phone (390x844), then the cashier
scans the RMA barcode at the till and receives it; offline, the till says the network is needed.

Served by uvicorn on PostgreSQL (``asgi_server``). ``UPDATE_SCREENSHOTS=1`` copies the screenshots into
docs/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import chromium_browser, in_thread  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "pass-1234-word"
WAREHOUSE, STORE = "RXW", "RXA"  # codes of our own: Redis pub/sub is shared with other test runs


def seed() -> dict:
    from django.test import override_settings

    from inventory import services as inventory
    from inventory.models import LocationKind
    from orders import services as orders
    from orders.models import DeliveryMethod, OrderStatus
    from orders.services import LineInput
    from payments import services as payments
    from pos.models import Register
    from tests.factories import LocationFactory, ProductFactory, UserFactory, VariantFactory, cashier, staff

    web = LocationFactory(code=WAREHOUSE, name="Entrepôt", kind=LocationKind.WAREHOUSE, city="Ajaccio")
    store = LocationFactory(code=STORE, name="Ajaccio — Cours Napoléon")
    Register.objects.create(store=store, code="rxa-1", name="Caisse 1")
    shirt = VariantFactory(
        sku="LIN-SHIRT-M", product=ProductFactory(name="Chemise en lin", base_price_ht=Decimal("40.00"))
    )
    honey = VariantFactory(
        sku="MIEL-250", product=ProductFactory(name="Miel du maquis", base_price_ht=Decimal("6.25"))
    )
    inventory.receive_stock(variant=shirt, location=web, quantity=5, reference="PO-1")
    inventory.receive_stock(variant=honey, location=web, quantity=5, reference="PO-1")
    shopper = UserFactory(email="lea@example.com", first_name="Léa", preferred_language="en")
    till = cashier(store, email="marie@pos.example", first_name="Marie", preferred_language="en")
    clerk = staff(email="jean@back.example", preferred_language="en")
    with override_settings(PAYMENTS_TEST_PROVIDER=True):
        order = orders.place_web_order(
            lines=[LineInput(shirt, 1), LineInput(honey, 2)],
            location=web,
            delivery_method=DeliveryMethod.HOME,
            email=shopper.email,
            customer=shopper,
            language="en",
            shipping_address={"first_name": "Léa", "last_name": "Casanova", "line1": "3 rue Fesch",
                              "postal_code": "20000", "city": "Ajaccio", "country": "FR"},
            carrier="colissimo",
        )  # fmt: skip
        start = payments.start_payment(order=order, provider="test", return_url="/d/", cancel_url="/c/")
        payments.confirm_test_payment(payment_id=start.payment_id, succeed=True)
        orders.transition_order(order=order, to_status=OrderStatus.SHIPPED)
        orders.transition_order(order=order, to_status=OrderStatus.COMPLETED)
    return {
        "order": order.number,
        "shopper": shopper.email,
        "cashier": till.email,
        "staff": clerk.email,
        "shirt_line": order.lines.get(sku="LIN-SHIRT-M").pk,
    }


def shot(page, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} overflows"
    if os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / f"{name}.png")


def state_of(number: str) -> tuple[str, Decimal, int]:
    from inventory.models import StockLevel
    from logistics.returns_models import ReturnRequest

    rma = ReturnRequest.objects.get(number=number)
    level = StockLevel.objects.filter(location__code=STORE, variant__sku="LIN-SHIRT-M").first()
    return rma.status, rma.refund_amount, level.on_hand if level else 0


def test_a_shopper_asks_a_return_on_a_phone_and_the_till_receives_it(
    asgi_server,
    chromium_browser,  # noqa: F811  (the fixture imported above)
    in_thread,  # noqa: F811
    tmp_path,
):
    data = in_thread(seed)
    base = asgi_server.base_url

    phone = chromium_browser.new_context(viewport=PHONE, locale="en-GB", has_touch=True, is_mobile=True)
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    page.goto(f"{base}/en/account/login/?next=/en/account/orders/{data['order']}/")
    page.get_by_label("E-mail address").fill(data["shopper"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/en/account/orders/{data['order']}/$"))
    page.get_by_role("link", name="Return items").click()
    page.wait_for_url(re.compile(r"/return/$"))
    page.select_option(f'select[name="qty-{data["shirt_line"]}"]', "1")
    page.select_option(f'select[name="reason-{data["shirt_line"]}"]', "too_small")
    page.fill(f'input[name="comment-{data["shirt_line"]}"]', "One size up, please")
    shot(page, tmp_path, "portal-return-form")
    page.get_by_role("button", name="Ask for the return").click()
    page.wait_for_url(re.compile(r"/en/account/returns/RMA-\d{4}-\d{6}/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[1]
    expect(page.locator(".rma-code__barcode svg")).to_be_visible()
    expect(page.locator(".rma-code__number")).to_have_text(number)
    shot(page, tmp_path, "portal-return-rma")
    phone.close()

    # The warehouse's screen finds it by its number (a scanner types it): lines to inspect.
    office = chromium_browser.new_context(viewport=DESKTOP, locale="en-GB")
    office.set_default_timeout(10_000)
    desk = office.new_page()
    desk.goto(f"{base}/admin/login/?next=/backoffice/returns/")
    desk.fill("#id_username", data["staff"])
    desk.fill("#id_password", PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    desk.wait_for_url(f"{base}/backoffice/returns/")
    desk.fill("#rma-number", number.lower())
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("button", name="Receive")).to_be_visible()
    expect(desk.locator(".rma-lines")).to_contain_text("Chemise en lin")
    shot(desk, tmp_path, "backoffice-returns-receive")
    office.close()

    tablet = chromium_browser.new_context(viewport=DESKTOP, locale="en-GB", has_touch=True)
    tablet.set_default_timeout(10_000)
    till = tablet.new_page()
    till.goto(f"{base}/pos/")
    till.fill("#id_username", data["cashier"])
    till.fill("#id_password", PASSWORD)
    till.get_by_role("button", name="Sign in").click()
    till.wait_for_url(f"{base}/pos/")
    till.locator('[data-register="rxa-1"]').click()
    till.fill("#opening-float", "100")
    till.get_by_role("button", name="Open register").click()
    expect(till.locator("#screen-sale")).to_be_visible()

    # Offline: the RMA cannot be loaded, the screen says why.
    tablet.set_offline(True)
    till.locator('.nav-btn[data-go="returns"]').click()
    till.fill("#return-number", number)
    till.get_by_role("button", name="Find sale").click()
    expect(till.locator("#return-error")).to_contain_text("needs the network")
    expect(till.locator("#rma-form")).to_be_hidden()
    tablet.set_offline(False)

    # Online: the barcode scanned at the sale screen opens the RMA on the returns screen.
    till.locator('.nav-btn[data-go="sale"]').click()
    till.locator("#scan").focus()
    till.keyboard.type(number, delay=5)
    till.keyboard.press("Enter")
    expect(till.locator("#rma-form")).to_be_visible()
    expect(till.locator("#rma-lines")).to_contain_text("Chemise en lin")
    shot(till, tmp_path, "pos-rma-receive")
    till.get_by_role("button", name="Receive the return").click()
    expect(till.locator("#return-done")).to_contain_text(f"Return {number} received")
    expect(till.locator("#return-done")).to_contain_text("48")
    tablet.close()
    assert in_thread(state_of, number) == ("refunded", Decimal("48.00"), 1)
