"""Issue 10's scenario end to end in Debian's Chromium, with every real piece:

a shopper orders two lines for home delivery (checkout page, test provider) → staff build a picking
wave and scan each unit, pack them (scans, parcel type), print the label (the local Colissimo fake
answers through the label task) and hand the shipment over → the carrier's tracking says delivered
(a poll of the Suivi fake) → the shopper gets the "delivered" e-mail → the shopper asks, on the portal,
the return of one of the two lines by post → the warehouse receives it as resellable → the partial
refund is recorded with the provider, the unit is back in stock where it was received, and the staff
order page shows it all.

Served in-process (``live_server``: the carrier fake and eager Celery are this process's settings).
Screenshots of the picking, packing and dispatch screens and of the order page at the end go to
docs/screenshots/flow-*.png (1440x900).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import chromium_browser, in_thread  # noqa: F401  (fixtures)
from tests.logistics.conftest import carrier_fakes, carrier_server, colissimo_fake  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1440, "height": 900}
PASSWORD = "pass-1234-word"  # UserFactory's


def seed() -> dict:
    """The logistics shop (warehouse WEB: 5 tees at 12.50, 2 mugs at 6.00), a shopper with the two
    in her cart, a member of staff."""
    from tests.factories import UserFactory, staff
    from tests.logistics.shop import make_cart, make_shop

    shop = make_shop()
    shopper = UserFactory(
        email="lea@example.com", first_name="Léa", last_name="Casanova", preferred_language="en"
    )
    make_cart((shop.tee, 1), (shop.mug, 1), user=shopper)
    clerk = staff(email="jean@back.example", first_name="Jean", preferred_language="en")
    return {"shopper": shopper.email, "staff": clerk.email, "tee": shop.tee.ean13, "mug": shop.mug.ean13}


def order_state(number: str) -> dict:
    from inventory.models import StockLevel
    from logistics.fulfilment_models import Shipment
    from logistics.returns_models import ReturnRequest
    from orders.models import Order
    from payments.models import Refund

    order = Order.objects.get(number=number)
    tee = order.lines.get(sku="TEE")
    return {
        "status": order.status,
        "shipments": list(Shipment.objects.filter(order=order).values_list("status", flat=True)),
        "tee": (tee.quantity_returned, tee.quantity_refunded, tee.refunded_gross),
        "refunded": order.refunded_gross,
        "refunds": [
            (r.amount, r.status, r.payment.provider) for r in Refund.objects.filter(payment__order=order)
        ],
        "rma": list(ReturnRequest.objects.filter(order=order).values_list("status", "refund_amount")),
        "web_tee": StockLevel.objects.get(variant__sku="TEE", location__code="WEB").on_hand,
    }


def poll_tracking() -> tuple[int, int, int]:
    from logistics import services_shipping

    result = services_shipping.poll_tracking(limit=10)
    return result.polled, result.recorded, result.failed


def tracking_number(number: str) -> str:
    from logistics.fulfilment_models import Parcel

    return Parcel.objects.get(shipment__order__number=number).tracking_number


def shot(page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def log_in_staff(page, base: str, email: str, next_url: str) -> None:
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def scan(page, barcode: str) -> None:
    page.locator("#ff-scan").fill(barcode)
    page.locator("#ff-scan").press("Enter")
    page.wait_for_load_state("load")


def test_order_pick_pack_ship_deliver_return_refund(
    live_server,
    chromium_browser,  # noqa: F811
    in_thread,  # noqa: F811
    colissimo_fake,  # noqa: F811
    eager_celery,
    settings,
    tmp_path,
):
    settings.PAYMENTS_TEST_PROVIDER = True
    settings.MEDIA_ROOT = tmp_path
    data = in_thread(seed)
    base = live_server.url

    # --- the shopper orders for home delivery
    shopper = chromium_browser.new_context(viewport=VIEWPORT, locale="en-GB")
    shopper.set_default_timeout(15_000)
    page = shopper.new_page()
    page.goto(f"{base}/en/account/login/?next=/en/checkout/")
    page.get_by_label("E-mail address").fill(data["shopper"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/en/checkout/$"))
    page.locator("#email").fill(data["shopper"])
    page.locator('input[name="delivery_method"][value="home"]').check()
    page.get_by_label("First name").fill("Léa")
    page.get_by_label("Last name").fill("Casanova")
    page.get_by_label("Address", exact=True).fill("3 rue Fesch")
    page.get_by_label("Postal code").fill("20000")
    page.get_by_label("City").fill("Ajaccio")
    page.locator('input[name="carrier"][value="colissimo"]').check()
    page.locator('input[name="provider"][value="test"]').check()
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(page).to_have_url(re.compile(r"/en/pay/test/"))
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(page).to_have_url(re.compile(r"/en/checkout/done/"))
    number = page.url.rstrip("/").split("/")[-1]
    assert in_thread(order_state, number)["shipments"] == ["to_pick"]  # routed at payment

    # --- staff pick the wave with scans
    staff_context = chromium_browser.new_context(viewport=VIEWPORT, locale="en-GB")
    staff_context.set_default_timeout(15_000)
    desk = staff_context.new_page()
    desk.on("dialog", lambda dialog: dialog.accept())  # "Print the labels of every parcel?"
    log_in_staff(desk, base, data["staff"], "/backoffice/picking/")
    desk.get_by_role("button", name="New wave").first.click()
    desk.wait_for_url(re.compile(r"/backoffice/picking/[A-Z]+-\d{4}-\d{6}/$"))
    scan(desk, "0000000000000")  # a barcode that is not on the wave: refused
    scan(desk, data["tee"])
    scan(desk, data["mug"])
    shot(desk, "flow-picking")

    # --- pack: scan every unit, close a parcel, print the label (the Colissimo fake answers)
    desk.goto(f"{base}/backoffice/packing/")
    desk.locator("a", has_text=re.compile(r"EXP-\d{4}-\d{6}")).first.click()
    scan(desk, data["tee"])
    scan(desk, data["mug"])
    desk.locator("#parcel-form button[type=submit]").click()
    desk.wait_for_load_state("load")
    shot(desk, "flow-packing")
    desk.get_by_role("button", name="Print label").click()
    desk.wait_for_load_state("load")
    assert len(colissimo_fake.requests) == 1  # the label, asked by the task after commit

    # --- dispatch: hand the shipment over
    desk.goto(f"{base}/backoffice/dispatch/")
    expect(desk.get_by_role("button", name="Handed over")).to_be_visible()
    shot(desk, "flow-dispatch")
    desk.get_by_role("button", name="Handed over").click()
    desk.wait_for_load_state("load")
    assert in_thread(order_state, number)["status"] == "shipped"

    # --- the carrier reports the delivery; the shopper gets the "delivered" e-mail
    parcel_number = in_thread(tracking_number, number)
    colissimo_fake.add_event(parcel_number, "ET1", "En cours d'acheminement", place="Marseille")
    colissimo_fake.add_event(parcel_number, "DI1", "Votre colis est livré", place="Ajaccio")
    assert in_thread(poll_tracking) == (1, 2, 0)
    assert in_thread(order_state, number)["status"] == "completed"
    delivered = [m for m in mail.outbox if m.to == [data["shopper"]] and "deliver" in m.subject.lower()]
    assert len(delivered) == 1, [m.subject for m in mail.outbox]

    # --- the shopper asks the return of the tee (one of two lines) by post
    page.goto(f"{base}/en/account/orders/{number}/")
    page.get_by_role("link", name="Return items").click()
    page.wait_for_url(re.compile(r"/return/$"))
    tee_select = page.locator('select[name^="qty-"]').first
    line_id = tee_select.get_attribute("name").split("-", 1)[1]
    tee_select.select_option("1")
    page.select_option(f'select[name="reason-{line_id}"]', "too_small")
    page.locator('input[name="method"][value="post"]').check()
    page.get_by_role("button", name="Ask for the return").click()
    page.wait_for_url(re.compile(r"/en/account/returns/RMA-\d{4}-\d{6}/$"))
    rma = page.url.rstrip("/").rsplit("/", 1)[1]
    shopper.close()

    # --- the warehouse receives it as resellable; the refund follows
    desk.goto(f"{base}/backoffice/returns/")
    desk.fill("#rma-number", rma)
    desk.keyboard.press("Enter")
    desk.get_by_role("button", name="Receive").click()
    desk.wait_for_load_state("load")

    state = in_thread(order_state, number)
    assert state["tee"] == (1, 1, Decimal("12.50"))
    assert state["refunded"] == Decimal("12.50")
    assert state["refunds"] == [(Decimal("12.50"), "succeeded", "test")]
    assert state["rma"] == [("refunded", Decimal("12.50"))]
    assert state["web_tee"] == 5  # 5 received, 1 sold, 1 back on the warehouse's shelf

    # --- the staff order page shows it all
    desk.goto(f"{base}/backoffice/orders/{number}/")
    main = desk.locator("main")
    for text in (rma, parcel_number, "Delivered", "Refund", "12.50", "Returned"):
        expect(main).to_contain_text(text)
    shot(desk, "flow-order", full_page=True)
    staff_context.close()
