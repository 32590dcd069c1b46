"""A manager's overview in a real browser, served by a separate ASGI process: today's figures
follow a till sale without a reload (the sale's facts refreshed, /ws/dashboard/ says so, the page
fetches its figures again). Screenshots at 1440x900 and on a tablet (1024x768).

Set ``UPDATE_SCREENSHOTS=1`` to copy them into docs/screenshots/ for the README.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from inventory import services as inventory
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from orders.services.archive import import_archived_orders
from pos.models import Register
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pos.services.sessions import open_register_session
from reporting import facts, tasks
from tests.browser.test_shop import shot
from tests.factories import UserFactory, cashier
from tests.logistics.shop import make_shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,  # the manager logs in to the uvicorn child process
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "pass-1234-word"  # UserFactory's
D = Decimal


def seed() -> dict:
    """Two till sales today at Ajaccio, and last year's archived sales on the same dates."""
    shop = make_shop()
    for variant, cost in ((shop.tee, "4.20"), (shop.mug, "2.10")):
        variant.cost_price_ht = D(cost)
        variant.save()
        inventory.receive_stock(variant=variant, location=shop.aja, quantity=20, reference="PO-DASH")
    register = Register.objects.create(store=shop.aja, code="aja-9", name="Ajaccio 9")
    till_user = cashier(shop.aja, email="till.dash@example.com")
    session = open_register_session(register=register, user=till_user, opening_float=D("100.00"))
    sales = [
        record_sale(session=session, user=till_user, client_uuid=uuid.uuid4(),
                    lines=[SaleLineInput(sku="TEE", quantity=2)],
                    tenders=[TenderInput(kind="cash", amount=D("25.00"))]).order
        for _ in range(2)
    ]  # fmt: skip
    today = timezone.localdate()
    then = timezone.make_aware(dt.datetime.combine(today.replace(year=today.year - 1), dt.time(11)))
    archived, lines = [], []
    for i in range(3):
        order = Order(number=f"OLD-{i}", channel=Channel.STORE, status=OrderStatus.COMPLETED,
                      delivery_method=DeliveryMethod.IN_STORE, location=shop.aja, created_at=then,
                      total_net=D("10.42"), total_vat=D("2.08"), total_gross=D("12.50"),
                      total_gross_eur=D("12.50"))  # fmt: skip
        archived.append(order)
        lines.append(OrderLine(order=order, variant=shop.tee, sku="TEE", name="Tee-shirt", quantity=1,
                               unit_price_net=D("10.4150"), vat_rate=D("0.2000"), total_net=D("10.42"),
                               total_vat=D("2.08"), total_gross=D("12.50")))  # fmt: skip
    import_archived_orders(orders=archived, lines=lines)
    facts.rebuild()
    UserFactory(role=Role.MANAGER, email="boss.dash@example.com")
    return {"session": session, "cashier": till_user, "sales": [s.pk for s in sales]}


def sell_one_more(data: dict) -> None:
    order = record_sale(
        session=data["session"], user=data["cashier"], client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku="MUG", quantity=1)], tenders=[TenderInput(kind="card", amount=D("6.00"))],
    ).order  # fmt: skip
    tasks.refresh_order_facts.run([order.pk])  # what the worker does after the commit


def test_todays_overview_follows_a_sale(asgi_server, chromium_browser, in_thread, tmp_path):
    data = in_thread(seed)
    context = chromium_browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/admin/login/?next=/dashboard/%3Fperiod%3Dtoday")
        page.fill("#id_username", "boss.dash@example.com")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/dashboard/?period=today")
        orders = page.locator(".kpi--orders .kpi__value")
        expect(orders).to_have_text("2")
        expect(page.locator(".kpi--revenue_ttc .kpi__value")).to_contain_text("50")
        expect(page.locator(".kpi--orders .kpi__change").nth(1)).to_contain_text("33")  # 2 vs 3 last year
        expect(page.locator("[data-live-status]")).to_have_class("live-badge live-badge--on")

        in_thread(sell_one_more, data)

        expect(orders).to_have_text("3", timeout=8_000)  # no reload: the socket said so
        expect(page.locator(".kpi--revenue_ttc .kpi__value")).to_contain_text("56")
        expect(page.locator("#kpis table.report tfoot")).to_contain_text("56")  # the days follow too
        shot(page, tmp_path, "dashboard-overview")
        page.set_viewport_size({"width": 1024, "height": 768})
        shot(page, tmp_path, "dashboard-overview-tablet")
    finally:
        context.close()
