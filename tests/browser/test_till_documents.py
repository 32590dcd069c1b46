"""The till's printed documents in a real browser, at the receipt printer's width (80 mm: a 380 px
viewport): the sale receipt with its legal mentions, a duplicate, the return receipt / store credit
note, and the Z report with a return. Each fits the width (nothing scrolls sideways).

``UPDATE_SCREENSHOTS=1`` copies them to docs/screenshots/ (pos-receipt.png, pos-return-receipt.png,
pos-z-report-print.png)."""

import os
import shutil
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from inventory import services as stock
from inventory.models import LocationKind
from pos.models import Register
from pos.services import returns
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pos.services.sessions import open_register_session
from tests.factories import (
    LocationFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    VatRateFactory,
    cashier,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,
    pytest.mark.django_db(transaction=True),
]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "pass-1234-word"  # UserFactory's
RECEIPT = {"width": 380, "height": 900}
TABLET = {"width": 1024, "height": 768}


def seed() -> dict:
    """A store with its address, a register, a cashier; a day with a sale, a return as store credit."""
    store = LocationFactory(
        code="PXR",
        name="Ajaccio — Cours Napoléon",
        kind=LocationKind.STORE,
        address_line="3 cours Napoléon",
        postal_code="20000",
        city="Ajaccio",
        phone="04 95 00 00 01",
    )
    register = Register.objects.create(store=store, code="pxr-1", name="Caisse 1")
    marie = cashier(store, email="marie@pxr.example", first_name="Marie", preferred_language="fr")
    reduced = VatRateFactory(code="reduced", name="Réduit", rate=Decimal("0.0550"))
    shirt = VariantFactory(
        sku="LIN-SHIRT-M-WHT", product=ProductFactory(name="Chemise en lin", base_price_ht=Decimal("32.50"))
    )
    honey = VariantFactory(
        sku="MIEL-MAQUIS-250",
        product=ProductFactory(name="Miel du maquis 250 g", base_price_ht=Decimal("8.53"), vat_rate=reduced),
    )
    for variant in (shirt, honey):
        stock.receive_stock(variant=variant, location=store, quantity=10, reference="PO-1")
    session = open_register_session(register=register, user=marie, opening_float=Decimal("150.00"))
    customer = UserFactory(first_name="Lucia", last_name="Santoni")
    sold = record_sale(
        session=session,
        user=marie,
        client_uuid=uuid.uuid4(),
        lines=[
            SaleLineInput(sku="LIN-SHIRT-M-WHT", quantity=2),
            SaleLineInput(sku="MIEL-MAQUIS-250", quantity=3),
        ],
        tenders=[
            TenderInput(kind="card", amount=Decimal("50.00"), reference="AUTH-4821"),
            TenderInput(kind="cash", amount=Decimal("60.00")),
        ],
        customer=customer,
    ).order
    back = returns.create_return(
        session=session,
        user=marie,
        sale_number=sold.number,
        lines=[
            returns.ReturnLineInput(sku="LIN-SHIRT-M-WHT", quantity=1),
            returns.ReturnLineInput(sku="MIEL-MAQUIS-250", quantity=1),
        ],
        refund="store_credit",
    )
    return {"sale": sold.number, "return": back.ret.number, "session": session.pk, "email": marie.email}


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/pos/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{base_url}/pos/")


def keep(page, name: str, tmp_path) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} overflows"
    if os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / f"{name}.png")
    return path


def test_receipt_return_receipt_and_z_report_at_print_size(
    asgi_server, chromium_browser, in_thread, tmp_path
):
    data = in_thread(seed)
    # Twice the pixels: the barcode's 0.35 mm bars are about one CSS pixel, a thermal printer has 8 dots a mm.
    context = chromium_browser.new_context(viewport=RECEIPT, locale="fr-FR", device_scale_factor=2)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, asgi_server.base_url, data["email"])

        page.goto(f"{asgi_server.base_url}/pos/receipt/{data['sale']}/")
        ticket = page.locator("main.ticket")
        for text in [
            "Maison Demo SAS",
            "SIRET 83204715300016",
            "FR22832047153",
            "RCS Ajaccio",
            data["sale"],
            "Caisse 1",
            "Marie",
        ]:
            expect(ticket).to_contain_text(text)
        expect(page.locator(".ticket__vat")).to_contain_text("TVA")
        keep(page, "pos-receipt", tmp_path)

        page.goto(f"{asgi_server.base_url}/pos/returns/{data['return']}/receipt/")
        ticket = page.locator("main.ticket")
        for text in ["Maison Demo SAS", data["return"], data["sale"], "SC-"]:
            expect(ticket).to_contain_text(text)
        expect(page.locator(".ticket__credit svg")).to_be_visible()
        keep(page, "pos-return-receipt", tmp_path)

        page.set_viewport_size(TABLET)
        page.goto(f"{asgi_server.base_url}/pos/sessions/{data['session']}/z/")
        expect(page.locator("main.ticket")).to_contain_text("TVA")
        keep(page, "pos-z-report-print", tmp_path)
    finally:
        context.close()
