"""The sales breakdown by category in a real browser: the tree, its chart and table, at desktop
(1440x900) and tablet (1024x768) sizes. Screenshots go to docs/screenshots/dashboard-sales-*.png.

The sales are made by the real services (till sales at Ajaccio, one with a return, and web orders),
then the facts refreshed as the Celery task does after commit."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from catalog.models import Category
from inventory import services as inventory
from pos.models import Register
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pos.services.sessions import open_register_session
from reporting import facts
from tests.factories import UserFactory, VariantFactory, cashier
from tests.integrations.exports.conftest import till_return, web_order
from tests.logistics.shop import make_shop

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "pass-1234-word"  # UserFactory's
D = Decimal

CATALOG = [  # (category path, product, price HT, cost HT)
    (("Vêtements", "T-shirts"), "T-shirt Tête de Maure", "20.8250", "7.50"),
    (("Vêtements", "T-shirts"), "T-shirt Scandola", "24.9917", "8.20"),
    (("Vêtements", "Chemises"), "Chemise en lin", "49.9167", "21.00"),
    (("Vêtements", "Chaussures"), "Espadrilles toile", "24.9167", "11.40"),
    (("Épicerie fine", "Miel"), "Miel du maquis AOP 250 g", "11.7536", "5.10"),
    (("Épicerie fine", "Charcuterie"), "Figatellu fumé", "8.2500", "3.90"),
    (("Maison",), "Mug Ajaccio", "6.6583", "2.10"),
]
BASKETS = [
    [(0, 2), (4, 1)], [(2, 1)], [(1, 1), (6, 2)], [(3, 1), (0, 1)], [(5, 3)], [(4, 2), (5, 1)],
    [(2, 2), (3, 1)], [(6, 1)], [(0, 3)], [(1, 2), (4, 1), (6, 1)], [(2, 1), (5, 2)], [(3, 2)],
]  # fmt: skip


def seed() -> dict:
    shop = make_shop()
    categories: dict[tuple[str, ...], Category] = {}
    variants = []
    for n, (path, name, price, cost) in enumerate(CATALOG):
        parent = None
        for depth in range(len(path)):
            key = path[: depth + 1]
            if key not in categories:
                categories[key] = Category.objects.create(
                    name=key[-1], slug=f"cat-{len(categories)}", parent=parent, position=len(categories)
                )
            parent = categories[key]
        variant = VariantFactory(
            sku=f"SKU-{n}", product__name=name, product__category=parent,
            product__base_price_ht=D(price), cost_price_ht=D(cost),
        )  # fmt: skip
        inventory.receive_stock(variant=variant, location=shop.aja, quantity=60, reference="PO-9")
        inventory.receive_stock(variant=variant, location=shop.warehouse, quantity=20, reference="PO-9")
        variants.append(variant)
    register = Register.objects.create(store=shop.aja, code="aja-1", name="Ajaccio 1")
    till_user = cashier(shop.aja, email="cashier@aja.example")
    session = open_register_session(register=register, user=till_user, opening_float=D("100.00"))
    orders = []
    for basket in BASKETS:
        sale = record_sale(
            session=session, user=till_user, client_uuid=uuid.uuid4(),
            lines=[SaleLineInput(sku=variants[i].sku, quantity=q) for i, q in basket],
            tenders=[TenderInput(kind="cash", amount=D("500.00"))],
        ).order  # fmt: skip
        orders.append(sale)
    till_return(
        type("S", (), {"session": session, "cashier": till_user})(), orders[1], [(variants[2].sku, 1)]
    )
    orders.append(web_order((variants[2], 1), (variants[4], 2)))
    orders.append(web_order((variants[0], 2)))
    facts.refresh_orders([order.pk for order in orders])
    return {"manager": UserFactory(role=Role.MANAGER)}


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1024, 768)])
def test_sales_by_category_on_desktop_and_tablet(
    live_server, chromium_browser, in_thread, settings, width, height
):
    settings.PAYMENTS_TEST_PROVIDER = True
    data = in_thread(seed)
    context = chromium_browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        base = live_server.url
        page.goto(f"{base}/admin/login/?next=/dashboard/sales/%3Fby%3Dcategory%26period%3Dtoday")
        page.fill("#id_username", data["manager"].email)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/dashboard/sales/?by=category&period=today")
        expect(page.locator("svg.chart--bar rect")).to_have_count(3)  # the three top-level categories
        expect(page.locator("table.report tbody tr")).to_have_count(3 + 5)  # and their five subcategories
        expect(page.locator("table.report tbody tr").first).to_contain_text("Vêtements")  # tree order
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"dashboard-sales-category-{width}.png"), full_page=True)
        page.locator("th button", has_text="Revenue TTC").click()  # sortable in the page
        expect(page.locator("th", has_text="Revenue TTC")).to_have_attribute("aria-sort", "ascending")
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
