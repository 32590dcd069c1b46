"""An issued document's PDF: WeasyPrint renders the A4 page, the CII XML is embedded (Factur-X).

``render_document_pdf(document_id=...)`` is run by the Celery task ``invoicing.tasks
.render_document_pdf`` that ``issue_document`` queues through the outbox, so it starts only after
the document committed, outside any transaction (rendering takes a fraction of a second; no row is
locked meanwhile). It renders the document in its own language from its own snapshots (seller,
customer, lines, totals: never from today's settings), stores the bytes through Django's default
storage and inserts one ``InvoicePdf`` row (file, SHA-256 of the stored bytes, size, seconds).

Once only: an existing ``InvoicePdf`` is returned, never regenerated (a database trigger refuses to
update it). Two workers rendering the same document at once (the outbox delivers at least once)
both render, one insert wins the one-to-one; the loser deletes its file and returns the winner's row.

Speed (``bench/invoices.py``, CPU time per 14-line invoice, WeasyPrint 70): the naive
``HTML(string=...).write_pdf()`` costs ~145 ms; WeasyPrint's font subsetting, said to be 90% of a
render, is ~10 ms of it in this version (measured: embedding a Latin subset whole instead, as
``logistics.labels`` does, is 10-20 ms *slower* here and makes the file 30 KB bigger). What cost
was per-PDF set-up and layout: a new ``FontConfiguration`` (fontconfig loads the system's fonts
again) and the stylesheet parsed again for every PDF -> both made once per process and language
(``_stylesheet``): ~113 ms; flexbox and auto-width tables -> fixed-layout tables, no flex. Then the
cascade: WeasyPrint matches its whole HTML5 user-agent stylesheet against every element, a fifth of
what was left -> a user-agent stylesheet cut to the invoice's own elements
(``templates/invoicing/document_ua.css``, pages pixel-identical, a test compares them): 157 -> 121
ms CPU measured side by side on 30 bench invoices. Layout is the bulk of what remains, writing the
PDF ~25%, Factur-X (XML, XSD check, attachment with pypdf) ~8%.
The file is PDF/A-3b (``pdf_variant``: sRGB output intent, XMP metadata, embedded fonts), which
Factur-X requires, and ``facturx.generate_from_binary`` adds ``factur-x.xml`` and its XMP schema.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from .. import document_text as text
from ..errors import DocumentNotFound
from ..facturx_xml import cii_xml
from ..models import Invoice, InvoiceLine, InvoicePdf

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderTimings:
    """Where one PDF's time went (seconds)."""

    html: float  # the template rendered to HTML (Django)
    layout: float  # WeasyPrint: parsing, styles, layout (``HTML.render``)
    pdf: float  # WeasyPrint: writing the PDF, fonts embedded or subset (``Document.write_pdf``)
    facturx: float  # the CII XML built, checked against the XSD and attached (factur-x, pypdf)
    cpu: float = 0.0  # this process's CPU time for the whole render (a loaded machine inflates the rest)

    @property
    def total(self) -> float:
        return self.html + self.layout + self.pdf + self.facturx


def render_document_pdf(*, document_id: int) -> InvoicePdf:
    """The document's Factur-X PDF: the stored one if there is one, else rendered and stored once."""
    existing = InvoicePdf.objects.filter(invoice_id=document_id).first()
    if existing is not None:
        return existing
    invoice = Invoice.objects.select_related("credited_invoice").filter(pk=document_id).first()
    if invoice is None:
        raise DocumentNotFound(detail={"document_id": document_id})
    lines = list(invoice.lines.order_by("position"))
    pdf, timings = render_pdf_bytes(invoice, lines)
    row = InvoicePdf(
        invoice=invoice,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        render_seconds=round(timings.total, 4),
    )
    row.file.save(f"{invoice.number}.pdf", ContentFile(pdf), save=False)
    stored_name = row.file.name or ""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        # Another worker stored this document's PDF first: keep its row, drop our file.
        row.file.storage.delete(stored_name)
        winner = InvoicePdf.objects.filter(invoice_id=document_id).first()
        if winner is None:
            raise
        return winner
    logger.info(
        "invoice PDF %s: %d bytes in %.3f s (layout %.3f, pdf %.3f, factur-x %.3f)",
        invoice.number,
        row.size,
        timings.total,
        timings.layout,
        timings.pdf,
        timings.facturx,
    )
    return row


def render_pdf_bytes(invoice: Invoice, lines: list[InvoiceLine]) -> tuple[bytes, RenderTimings]:
    """The Factur-X PDF of ``invoice`` (nothing stored) and where its time went."""
    from facturx import generate_from_binary  # type: ignore[import-untyped]

    language = text.language_of(invoice.language)
    started, cpu_started = time.perf_counter(), time.process_time()
    page = document_html(invoice, lines)
    html_done = time.perf_counter()
    stylesheet, font_config = _stylesheet(language)  # once per process: counted in the layout
    document = _invoice_html_class()(string=page).render(
        stylesheets=[stylesheet], font_config=font_config, pdf_variant="pdf/a-3b"
    )
    layout_done = time.perf_counter()
    plain = document.write_pdf(pdf_variant="pdf/a-3b")
    pdf_done = time.perf_counter()
    xml = cii_xml(invoice, lines)
    seller_name = str(invoice.seller.get("legal_name", ""))
    labels = text.TEXT[text.language_of(invoice.language)]
    title = labels["credit_note"] if invoice.is_credit_note else labels["invoice"]
    pdf = generate_from_binary(
        bytes(plain),
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={
            "author": seller_name,
            "keywords": "Factur-X, " + title.capitalize(),
            "title": f"{seller_name}: {title.capitalize()} {invoice.number}",
            "subject": f"{title.capitalize()} {invoice.number} {invoice.issued_on.isoformat()}",
        },
        lang=text.language_of(invoice.language),
    )
    done = time.perf_counter()
    return bytes(pdf), RenderTimings(
        html=html_done - started,
        layout=layout_done - html_done,
        pdf=pdf_done - layout_done,
        facturx=done - pdf_done,
        cpu=time.process_time() - cpu_started,
    )


def document_html(invoice: Invoice, lines: list[InvoiceLine]) -> str:
    """The document as the HTML page WeasyPrint lays out (``templates/invoicing/document.html``)."""
    return render_to_string("invoicing/document.html", document_context(invoice, lines))


def document_context(invoice: Invoice, lines: list[InvoiceLine]) -> dict[str, Any]:
    """Everything the page prints, formatted in the document's language."""
    language = text.language_of(invoice.language)
    labels = text.TEXT[language]
    seller: dict[str, Any] = invoice.seller or {}
    methods = text.PAYMENT_METHODS[language]
    sale_dates = sorted({line.sale_date for line in lines}) or [invoice.business_date]
    credited = invoice.credited_invoice
    address = invoice.billing_address or {}
    city = " ".join(p for p in (address.get("postal_code", ""), address.get("city", "")) if p)
    country = (address.get("country") or "").upper()
    payments = []
    for payment in invoice.payments or []:
        how = payment.get("label") or methods.get(payment.get("method", ""), payment.get("method", ""))
        when = f", {text.date(payment['date'], language)}" if payment.get("date") else ""
        payments.append(f"{how} : {text.money(payment.get('amount', '0'), language)}{when}")
    return {
        "language": language,
        "t": labels,
        "title": labels["credit_note"] if invoice.is_credit_note else labels["invoice"],
        "invoice": invoice,
        "seller": seller,
        "seller_siren": text.grouped(str(seller.get("siren", ""))),
        "seller_siret": text.grouped(str(seller.get("siret", ""))),
        "seller_vat": vat_number(str(seller.get("vat_number", "")), str(seller.get("country", "FR"))),
        "seller_address_inline": ", ".join(
            [
                *seller.get("address_lines", []),
                f"{seller.get('postal_code', '')} {seller.get('city', '')}".strip(),
            ]
        ),
        "customer_siren": text.grouped(invoice.customer_siren),
        "customer_address": [
            line
            for line in (
                address.get("line1", ""),
                address.get("line2", ""),
                city,
                country if country and country != "FR" else "",
            )
            if line
        ],
        "issued_on": text.date(invoice.issued_on, language),
        "sale_dates": ", ".join(text.date(day, language) for day in sale_dates),
        "credited_line": labels["credit_note_of"].format(
            number=credited.number, date=text.date(credited.issued_on, language)
        )
        if credited is not None
        else "",
        "lines": [
            {
                "sku": line.sku,
                "label": line.label,
                "place": line.place,
                "sale_date": text.date(line.sale_date, language),
                "quantity": text.number(line.quantity, language, places=3),
                "unit_price": text.unit_price(line.unit_price_net, language),
                "vat_rate": text.percent(line.vat_rate, language),
                "total_net": text.money(line.total_net, language),
                "discount": labels["discount"].format(amount=text.money(line.discount_gross, language))
                if line.discount_gross
                else "",
            }
            for line in lines
        ],
        "vat_rows": [
            {
                "rate": text.percent(row["rate"], language),
                "net": text.money(row["net"], language),
                "vat": text.money(row["vat"], language),
                "gross": text.money(row["gross"], language),
            }
            for row in invoice.vat_breakdown
        ],
        "total_net": text.money(invoice.total_net, language),
        "total_vat": text.money(invoice.total_vat, language),
        "total_gross": text.money(invoice.total_gross, language),
        "paid": text.money(invoice.paid_amount, language),
        "due": text.money(max(invoice.amount_due, Decimal(0)), language),
        "payments": payments,
    }


def vat_number(number: str, country: str) -> str:
    """The VAT number with its country prefix (``core.legal`` keeps stdnum's compact form, which
    drops it for France): ``22832047153`` -> ``FR22832047153``."""
    number = number.replace(" ", "").upper()
    if number and number[:2].isdigit():
        return (country or "FR").upper() + number
    return number


_local = threading.local()
_caches: list[dict[str, tuple[Any, Any]]] = []


def _stylesheet(language: str) -> tuple[Any, Any]:
    """The page's stylesheet (``templates/invoicing/document.css``) and the font configuration every
    render shares, made once per process, thread and language (building them for every PDF makes
    fontconfig load the system's fonts again and the CSS be parsed again: a quarter of a render).
    Per thread: a Celery pool process has one; a threaded caller does not share Pango's state."""
    cache: dict[str, tuple[Any, Any]] | None = getattr(_local, "sheets", None)
    if cache is None:
        cache = _local.sheets = {}
        _caches.append(cache)
    if language not in cache:
        cache[language] = _build_stylesheet(language)
    return cache[language]


def _build_stylesheet(language: str) -> tuple[Any, Any]:
    from weasyprint import CSS  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    font_config = FontConfiguration()
    css = render_to_string("invoicing/document.css", {"t": text.TEXT[text.language_of(language)]})
    return CSS(string=css, font_config=font_config), font_config


_html_class: list[Any] = []


def _invoice_html_class() -> Any:
    """WeasyPrint's ``HTML`` with a user-agent stylesheet cut to the invoice's own elements
    (``templates/invoicing/document_ua.css``): the cascade of the full HTML5 one was a fifth of a
    render. Made once per process."""
    if not _html_class:
        from django.template.loader import get_template
        from weasyprint import CSS, HTML

        template = get_template("invoicing/document_ua.css")
        ua = CSS(string=template.template.source)  # type: ignore[attr-defined]

        class InvoiceHTML(HTML):  # type: ignore[misc]
            def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
                return [ua]

        _html_class.append(InvoiceHTML)
    return _html_class[0]


@atexit.register
def _forget_stylesheets() -> None:
    """Let the font configurations go while WeasyPrint's modules still exist (else its ``__del__``
    complains at interpreter exit)."""
    for cache in _caches:
        cache.clear()
