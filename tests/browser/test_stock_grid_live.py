"""The staff stock grid in a real browser, served by a separate ASGI process, updating live."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench._common import AsgiServer
from inventory import services
from inventory.models import Location, LocationKind
from tests.factories import CategoryFactory, LocationFactory, ProductFactory, VariantFactory, staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,  # staff log in to the uvicorn child process
    pytest.mark.django_db(transaction=True),
]

README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "stock-grid.png"
PASSWORD = "pass-1234-word"  # UserFactory's

# Codes of our own (not the AJA/BAS of the shared fixtures): Redis pub/sub is shared by every test run.
LOCATIONS = [
    ("AJC", "Ajaccio — Cours Napoléon", LocationKind.STORE),
    ("BIA", "Bastia — Vieux-Port", LocationKind.STORE),
    ("PVO", "Porto-Vecchio", LocationKind.STORE),
    ("CVI", "Calvi", LocationKind.STORE),
    ("ENT", "Entrepôt Mezzavia", LocationKind.WAREHOUSE),
]
CATALOG = [
    (
        "Vêtements",
        "Chemise en lin",
        ["LIN-SHIRT-S-WHT", "LIN-SHIRT-M-WHT", "LIN-SHIRT-L-WHT", "LIN-SHIRT-M-BLU"],
    ),
    ("Vêtements", "T-shirt Corsica", ["TEE-CORSICA-S", "TEE-CORSICA-M", "TEE-CORSICA-L"]),
    ("Chaussures", "Espadrilles toile", ["ESPA-38-NAT", "ESPA-40-NAT", "ESPA-42-NAT"]),
    ("Épicerie fine", "Miel du maquis AOP 250 g", ["MIEL-MAQUIS-250"]),
    ("Épicerie fine", "Huile d'olive de Balagne 50 cl", ["HUILE-BALAGNE-50"]),
    ("Cadeaux", "Coffret découverte", ["COFFRET-DECOUV"]),
]


def seed() -> dict:
    """A small chain: 5 locations, 13 variants, stock everywhere, a few low-stock thresholds."""
    locations = [LocationFactory(code=code, name=name, kind=kind) for code, name, kind in LOCATIONS]
    categories: dict[str, object] = {}
    variants = []
    for category_name, product_name, skus in CATALOG:
        if category_name not in categories:
            categories[category_name] = CategoryFactory(name=category_name)
        product = ProductFactory(name=product_name, category=categories[category_name])
        for sku in skus:
            variants.append(VariantFactory(sku=sku, product=product))
    for i, variant in enumerate(variants):
        for j, location in enumerate(locations):
            quantity = (i * 7 + j * 5) % 23 + (40 if location.kind == LocationKind.WAREHOUSE else 1)
            services.receive_stock(variant=variant, location=location, quantity=quantity, reference="PO-SEED")
            if (i + j) % 4 == 0:
                services.set_low_stock_threshold(variant=variant, location=location, threshold=5)
        if i % 3 == 0:
            services.reserve_stock(variant=variant, location=locations[0], quantity=1, reference="WEB-1")
    user = staff(email="stock.viewer@example.com")
    return {"user": user, "variants": {v.sku: v for v in variants}}


def log_in(page, server: AsgiServer, email: str) -> None:
    page.goto(f"{server.base_url}/admin/login/?next=/stock/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{server.base_url}/stock/")


def qty(page, sku: str, location: str):
    return page.locator(f'td[data-sku="{sku}"][data-location="{location}"] .cell__qty')


def sell(sku: str, location: str, quantity: int) -> int:
    level = services.sell_stock(
        variant=VariantFactory._meta.model.objects.get(sku=sku),
        location=Location.objects.get(code=location),
        quantity=quantity,
        reference="POS-TEST",
    ).level
    return level.available


def test_stock_grid_updates_live_without_reload(asgi_server, desktop_page, in_thread, tmp_path):
    data = in_thread(seed)
    page = desktop_page
    log_in(page, asgi_server, data["user"].email)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    cell = qty(page, "LIN-SHIRT-M-WHT", "BIA")
    before = int(cell.inner_text())
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    available = in_thread(sell, "LIN-SHIRT-M-WHT", "BIA", 3)
    other = in_thread(sell, "ESPA-40-NAT", "AJC", 2)

    expect(cell).to_have_text(str(available), timeout=5_000)
    expect(qty(page, "ESPA-40-NAT", "AJC")).to_have_text(str(other), timeout=5_000)
    assert available == before - 3
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator('td[data-sku="LIN-SHIRT-M-WHT"][data-location="BIA"]')).to_have_class(
        re.compile(r"\bis-flash\b")
    )

    shot = tmp_path / "stock-grid.png"
    page.screenshot(path=str(shot))
    README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, README_SCREENSHOT)
    assert shot.stat().st_size > 10_000

    # On a tablet in portrait, the page does not overflow sideways: only the grid scrolls, in its frame.
    page.set_viewport_size({"width": 820, "height": 1180})
    page.screenshot(path=str(tmp_path / "stock-grid-tablet.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(qty(page, "LIN-SHIRT-M-WHT", "BIA")).to_have_text(str(available))
    print(f"screenshots: {shot} {tmp_path / 'stock-grid-tablet.png'}")


def test_grid_reconnects_and_catches_up_from_the_snapshot(asgi_server, desktop_page, in_thread):
    data = in_thread(seed)
    page = desktop_page
    log_in(page, asgi_server, data["user"].email)
    badge = page.locator("#live-status")
    expect(badge).to_have_attribute("data-state", "live")

    asgi_server.stop()  # every socket drops
    expect(badge).to_have_attribute("data-state", "reconnecting")
    available = in_thread(sell, "TEE-CORSICA-M", "PVO", 1)  # nobody is listening: missed
    restarted = AsgiServer(env=asgi_server.env, port=asgi_server.port)
    try:
        restarted.start()
        expect(badge).to_have_attribute("data-state", "live", timeout=20_000)
        expect(qty(page, "TEE-CORSICA-M", "PVO")).to_have_text(str(available))
    finally:
        restarted.stop()
