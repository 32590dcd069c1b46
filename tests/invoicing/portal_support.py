"""Helpers of the portal, admin and ERP import tests (tests/invoicing/test_portal*.py, test_admin*.py,
test_erp_import*.py): documents issued through ``issue_document``, a stored PDF, ERP files."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import User
from core.money import money_round
from invoicing.models import DocumentKind, DocumentOrigin, Invoice, InvoicePdf, LineChannel
from invoicing.services.issuing import Customer, Draft, DraftLine, issue_document

DAY = dt.date(2026, 3, 2)
PDF_BYTES = b"%PDF-1.7\n% a small stored PDF for the download tests\n%%EOF\n"


def draft_line(
    label: str = "T-shirt Corsica", quantity: str = "2", unit_net: str = "12.50", rate: str = "0.2000"
):
    q, unit, vat_rate = Decimal(quantity), Decimal(unit_net), Decimal(rate)
    net = money_round(q * unit)
    vat = money_round(net * vat_rate)
    return DraftLine(
        channel=LineChannel.WEB,
        place="Web shop",
        sale_date=DAY,
        label=label,
        quantity=q,
        unit_price_net=unit,
        vat_rate=vat_rate,
        total_net=net,
        total_vat=vat,
        total_gross=net + vat,
    )


def issue(
    user: User | None,
    *,
    kind: str = DocumentKind.INVOICE,
    issued_on: dt.date = DAY,
    lines: list[DraftLine] | None = None,
    email: str | None = None,
    name: str = "Ana Rossi",
    credited: Invoice | None = None,
) -> Invoice:
    """A document issued as the daily run issues one (number from the series, in a transaction)."""
    customer = Customer(
        name=name,
        email=email if email is not None else (user.email if user else "guest@example.com"),
        user=user,
        billing_address={"first_name": "Ana", "last_name": "Rossi", "line1": "3 rue Fesch",
                         "postal_code": "20000", "city": "Ajaccio", "country": "FR"},
    )  # fmt: skip
    draft = Draft(
        kind=kind,
        origin=DocumentOrigin.DAILY_RUN,
        customer=customer,
        business_date=issued_on,
        lines=lines or [draft_line()],
        credited_invoice_id=credited.pk if credited else None,
    )
    with transaction.atomic():
        return issue_document(draft=draft, issued_on=issued_on)


def attach_pdf(invoice: Invoice, content: bytes = PDF_BYTES) -> InvoicePdf:
    """The row the rendering task writes once the PDF exists (needs ``settings.MEDIA_ROOT`` set)."""
    return InvoicePdf.objects.create(
        invoice=invoice,
        file=ContentFile(content, name=f"{invoice.number}.pdf"),
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )


FR_HEADER = "numero_facture;date;client;libelle;quantite;prix_unitaire_ht;taux_tva"


def erp_file(
    rows: list[str], *, header: str = FR_HEADER, encoding: str = "utf-8-sig", newline: str = "\r\n"
) -> bytes:
    """An ERP export: the header and ``rows`` (already ';'-joined), as a spreadsheet saves it."""
    return newline.join([header, *rows, ""]).encode(encoding)
