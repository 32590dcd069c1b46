"""Documents to render, made through ``issue_document`` (helper B's PDF, Factur-X and e-mail tests).

Not a conftest: fixtures are imported by the test modules that use them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

from django.db import transaction

from invoicing.models import DocumentKind, DocumentOrigin, Invoice
from invoicing.services.issuing import Customer, Draft, DraftLine, issue_document

DAY = dt.date(2026, 3, 14)
ADDRESS = {
    "first_name": "Ana",
    "last_name": "Colonna",
    "line1": "3 rue Fesch",
    "line2": "Bâtiment B",
    "postal_code": "20000",
    "city": "Ajaccio",
    "country": "FR",
}


def line(
    label: str,
    *,
    quantity: str = "1",
    unit_net: str,
    rate: str = "0.2000",
    sku: str = "",
    channel: str = "web",
    place: str = "Boutique en ligne",
    sale_date: dt.date = DAY,
    discount_gross: str = "0.00",
    source_key: str = "",
) -> DraftLine:
    """A line whose totals follow from quantity x net unit price (less a gross discount)."""
    q, unit, vat_rate = Decimal(quantity), Decimal(unit_net), Decimal(rate)
    discount = Decimal(discount_gross)
    gross = ((q * unit * (1 + vat_rate)) - discount).quantize(Decimal("0.01"))
    net = (gross / (1 + vat_rate)).quantize(Decimal("0.01"))
    return DraftLine(
        channel=channel,
        place=place,
        sale_date=sale_date,
        label=label,
        quantity=q,
        unit_price_net=unit,
        vat_rate=vat_rate,
        total_net=net,
        total_vat=gross - net,
        total_gross=gross,
        sku=sku,
        discount_gross=discount,
        source_key=source_key,
    )


CONSUMER = Customer(name="Ana Colonna", email="ana@example.com", billing_address=ADDRESS)
BUSINESS = Customer(
    name="Paul Santoni",
    email="compta@santoni.example",
    billing_address={
        **ADDRESS,
        "line1": "8 boulevard Paoli",
        "line2": "",
        "city": "Bastia",
        "postal_code": "20200",
    },
    company="Santoni Distribution SARL",
    vat_number="FR40303265045",
    siren="303265045",
)


def consumer_lines() -> list[DraftLine]:
    return [
        line("T-shirt coton bio", quantity="2", unit_net="12.5000", sku="TSHIRT-M-RED"),
        line(
            "Confiture de figues",
            unit_net="4.7393",
            rate="0.0550",
            sku="CONF-FIG",
            channel="store",
            place="Boutique Ajaccio",
            discount_gross="0.50",
        ),
        line("Savon au miel", quantity="3", unit_net="3.2500", sku="SAVON-MIEL", sale_date=DAY),
    ]


def issue(
    *,
    customer: Customer = CONSUMER,
    lines: list[DraftLine] | None = None,
    kind: str = DocumentKind.INVOICE,
    credited: Invoice | None = None,
    paid: bool = True,
) -> Invoice:
    """One issued document, committed (the PDF task it queues is not run here)."""
    lines = lines if lines is not None else consumer_lines()
    total = sum((ln.total_gross for ln in lines), Decimal("0.00"))
    payments = (
        [{"method": "card", "label": "Carte bancaire", "amount": str(total), "date": DAY.isoformat()}]
        if paid
        else []
    )
    with transaction.atomic():
        return issue_document(
            draft=Draft(
                kind=kind,
                origin=DocumentOrigin.DAILY_RUN,
                customer=customer,
                business_date=DAY,
                lines=lines,
                payments=payments,
                paid_amount=total if paid else Decimal("0.00"),
                credited_invoice_id=credited.pk if credited else None,
            ),
            issued_on=DAY,
        )


def tmp_media(settings, tmp_path):
    """Stored PDFs go to the test's own folder: ``media = pytest.fixture(tmp_media)``."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_text(data: bytes) -> str:
    """The text a reader extracts from the PDF (pypdf), whitespace folded."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def stored_bytes(pdf) -> bytes:
    with pdf.file.open("rb") as stored:
        return stored.read()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
