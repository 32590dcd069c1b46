"""The tablet picking screen in a real browser: scans typed by a keyboard-wedge scanner (text then
Enter) into a field that keeps the focus; a wrong barcode is refused; the wave ends picked."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from inventory import services as inventory
from logistics import services_fulfilment as fulfilment
from logistics.fulfilment_models import PickLine, Shipment, ShipmentStatus
from orders.services import checkout
from tests.factories import staff
from tests.logistics.fulfil_support import place
from tests.logistics.shop import make_shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,  # staff log in to the uvicorn child process
    pytest.mark.django_db(transaction=True),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "pass-1234-word"  # UserFactory's


def seed() -> dict:
    shop = make_shop()
    inventory.set_bin_location(location=shop.warehouse, variant=shop.tee, bin_location="A-10")
    inventory.set_bin_location(location=shop.warehouse, variant=shop.mug, bin_location="A-2")
    for lines in (((shop.tee, 1), (shop.mug, 1)), ((shop.tee, 1),)):
        checkout.confirm_test_payment(order=place(*lines))  # commits: order.paid makes the shipments
    user = staff(email="picker@example.com")
    wave = fulfilment.build_wave(location=shop.warehouse, user=user)
    return {"wave": wave.number, "tee": shop.tee.ean13, "mug": shop.mug.ean13, "user": user.email}


def test_picking_by_scanning(asgi_server, desktop_page, in_thread):
    data = in_thread(seed)
    page = desktop_page
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet, portrait
    page.goto(f"{asgi_server.base_url}/admin/login/?next=/backoffice/picking/{data['wave']}/")
    page.fill("#id_username", data["user"])
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**/backoffice/picking/{data['wave']}/")

    rows = page.locator("#pick-lines tbody tr")
    expect(rows.nth(0)).to_have_attribute("data-sku", "MUG")  # A-2 before A-10
    expect(rows.nth(1)).to_have_attribute("data-sku", "TEE")
    expect(page.locator("#ff-scan")).to_be_focused()

    page.keyboard.type(data["tee"])
    page.keyboard.press("Enter")
    expect(page.locator(".message--success")).to_contain_text("TEE: 1 of 2")
    expect(page.locator("#ff-scan")).to_be_focused()  # the next scan needs no tap

    page.keyboard.type("4006381333931")
    page.keyboard.press("Enter")
    expect(page.locator(".message--error")).to_contain_text("4006381333931 is not in wave")
    expect(page.locator('tr[data-sku="TEE"] .ff-qty')).to_have_text("1 / 2")
    page.screenshot(path=str(SCREENSHOTS / "picking.png"), full_page=True)

    for code in (data["tee"], data["mug"]):
        page.locator("#ff-scan").fill(code)
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    expect(page.locator(".message--success").last).to_contain_text(f"Wave {data['wave']} is picked.")
    assert in_thread(lambda: sorted(PickLine.objects.values_list("quantity_picked", flat=True))) == [1, 2]
    statuses = in_thread(lambda: set(Shipment.objects.values_list("status", flat=True)))
    assert statuses == {ShipmentStatus.PICKED}

    # packing the first order: scan both units, one parcel, then the label
    number = in_thread(lambda: Shipment.objects.order_by("id").values_list("number", flat=True).first())
    page.goto(f"{asgi_server.base_url}/backoffice/packing/{number}/")
    expect(page.locator("#ff-scan")).to_be_focused()
    for sku, code in (("MUG", data["mug"]), ("TEE", data["tee"])):
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        # the scan is counted (the page came back) before the next one is typed
        expect(page.locator(f'tr[data-sku="{sku}"] .ff-qty').nth(1)).to_have_text("1")
        expect(page.locator("#ff-scan")).to_be_focused()
    expect(page.locator('input[name="weight_grams"]')).to_have_attribute("placeholder", "750")  # 400+200+150
    page.select_option('select[name="parcel_type"]', "medium")
    expect(page.locator('input[name="weight_grams"]')).to_have_attribute("placeholder", "900")
    page.screenshot(path=str(SCREENSHOTS / "packing.png"), full_page=True)
    page.locator("#parcel-form button[type=submit]").click()
    expect(page.locator(".message--success")).to_contain_text("closed (900 g)")
    page.once("dialog", lambda dialog: dialog.accept())  # "Print the labels of every parcel?"
    page.get_by_role("button", name="Print label").click()
    page.wait_for_url("**/backoffice/packing/")
    expect(page.locator(".message--success")).to_contain_text(f"Shipment {number} is packed")
