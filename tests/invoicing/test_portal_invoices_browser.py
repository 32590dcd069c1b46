"""A customer on a phone (390x844) opens "My invoices" from the portal menu and downloads a PDF.

Served by the live server on PostgreSQL. Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshot into
docs/screenshots/portal-invoices.png.
"""

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from invoicing.models import DocumentKind
from tests.accounts.portal_support import PASSWORD, shopper
from tests.browser import conftest as browser
from tests.factories import CategoryFactory
from tests.invoicing.portal_support import PDF_BYTES, attach_pdf, draft_line, issue
from tests.outbox_support import broker_down as broker_down  # noqa: F401  (the fixture, used by name)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

# The browser tests' fixtures (Debian's Chromium, a thread for the ORM, an empty page cache).
chromium_browser = browser.chromium_browser
in_thread = browser.in_thread
empty_page_cache = browser.empty_page_cache

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def seed() -> str:
    """Léa's invoices of March: three days of purchases (web and boutiques), a credit note after a return;
    the latest invoice's PDF is still being rendered."""
    for name, slug in [("Vêtements", "vetements"), ("Épicerie fine", "epicerie-fine"), ("Maison", "maison")]:
        CategoryFactory(name=name, slug=slug)
    lea = shopper(email="lea@example.com", first_name="Léa", last_name="Casanova")
    name = "Léa Casanova"
    first = issue(lea, name=name, issued_on=dt.date(2026, 3, 2), lines=[
        draft_line("T-shirt Calvi lin, M bleu", "1", "20.83"),
        draft_line("Miel du maquis AOP 250 g", "2", "8.53", "0.0550"),
    ])  # fmt: skip
    second = issue(lea, name=name, issued_on=dt.date(2026, 3, 9), lines=[
        draft_line("Sweat Bonifacio, S écru", "1", "45.83"),
    ])  # fmt: skip
    returned = [draft_line("Sweat Bonifacio, S écru", "1", "45.83")]
    credit = issue(lea, name=name, kind=DocumentKind.CREDIT_NOTE, credited=second,
                   issued_on=dt.date(2026, 3, 14), lines=returned)  # fmt: skip
    issue(lea, name=name, issued_on=dt.date(2026, 3, 21), lines=[
        draft_line("Huile d'olive de Balagne 50 cl", "3", "14.22", "0.0550"),
        draft_line("Savon à la myrte", "2", "5.00"),
    ])  # fmt: skip
    for document in (first, second, credit):
        attach_pdf(document)
    return lea.email


def test_a_customer_finds_and_downloads_an_invoice_on_a_phone(
    live_server,
    chromium_browser,
    in_thread,
    settings,
    tmp_path,
    broker_down,  # the PDF tasks wait in the outbox: this test sets which PDFs exist
):
    settings.MEDIA_ROOT = tmp_path
    email = in_thread(seed)
    context = chromium_browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/en/account/login/?next=/en/account/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/en/account/$"))
        page.locator("nav.account-nav").get_by_role("link", name="Invoices").click()
        page.wait_for_url(re.compile(r"/en/account/invoices/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("My invoices")
        rows = page.locator(".invoice-row")
        expect(rows).to_have_count(4)
        expect(rows.nth(0)).to_contain_text("FA-2026-000003")
        expect(rows.nth(0)).to_contain_text("PDF being prepared")
        expect(rows.nth(1)).to_contain_text("AV-2026-000001")
        expect(rows.nth(1)).to_contain_text("credits FA-2026-000002")

        shot = tmp_path / "portal-invoices.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            "the page overflows"
        )
        if os.environ.get("UPDATE_SCREENSHOTS"):
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, DOCS / "portal-invoices.png")

        with page.expect_download() as download_info:
            rows.nth(3).get_by_role("link", name=re.compile("Download PDF")).click()
        download = download_info.value
        assert download.suggested_filename == "FA-2026-000001.pdf"
        assert Path(download.path()).read_bytes() == PDF_BYTES
    finally:
        context.close()
