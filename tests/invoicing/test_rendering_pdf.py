"""The invoice / credit note PDF: every legal mention French law asks for, read back from the PDF's
text; stored once with the SHA-256 of its bytes; never rendered again."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.errors import DocumentNotFound
from invoicing.models import DocumentKind, InvoicePdf
from invoicing.services import rendering
from invoicing.services.rendering import render_document_pdf
from tests.invoicing.pdf_support import (
    BUSINESS,
    CONSUMER,
    issue,
    line,
    pdf_text,
    sha256,
    stored_bytes,
    tmp_media,
)

pytestmark = pytest.mark.django_db
media = pytest.fixture(tmp_media)

SELLER_MENTIONS = [
    "Maison Demo SAS",
    "SAS au capital de 50 000 EUR",
    "12 cours Napoléon",
    "20000 Ajaccio",
    "SIREN 832 047 153",
    "SIRET 832 047 153 00016",
    "RCS Ajaccio 832 047 153",
    "N° TVA intracommunautaire : FR22832047153",
]


def test_a_consumer_invoice_prints_every_legal_mention(media):
    invoice = issue(customer=CONSUMER)

    text = pdf_text(stored_bytes(render_document_pdf(document_id=invoice.pk)))

    for mention in [
        *SELLER_MENTIONS,
        "FACTURE",
        f"N° {invoice.number}",
        "Date d'émission 14/03/2026",
        "Date(s) de vente 14/03/2026",
        "FACTURÉ À",
        "Ana Colonna",
        "3 rue Fesch",
        "Bâtiment B",
        # the lines: SKU, label, where bought, sale date, quantity, unit price HT, VAT rate, total HT
        "TSHIRT-M-RED T-shirt coton bio Boutique en ligne 14/03/2026 2 12,50 € 20 % 25,00 €",
        "CONF-FIG Confiture de figues",
        "Boutique Ajaccio 14/03/2026 1 4,7393 € 5,5 % 4,27 €",
        "Remise incluse : 0,50 € TTC",
        "SAVON-MIEL Savon au miel",
        # totals per rate and for the document
        "5,5 % 4,27 € 0,23 € 4,50 €",
        "20 % 34,75 € 6,95 € 41,70 €",
        "Total HT 39,02 €",
        "TVA 5,5 % 0,23 €",
        "TVA 20 % 6,95 €",
        "Total TVA 7,18 €",
        "Total TTC 46,20 €",
        "Déjà réglé 46,20 €",
        "Net à payer 0,00 €",
        "Carte bancaire : 46,20 €, 14/03/2026",
        "CONDITIONS DE PAIEMENT",
        "Payée à la commande.",
        "Page 1 sur 1",
    ]:
        assert mention in text, mention
    # Penalties and the recovery indemnity are for business customers only.
    assert "Indemnité forfaitaire" not in text
    assert "Pénalités de retard" not in text
    assert invoice.total_gross == Decimal("46.20")


def test_a_business_invoice_names_the_customer_company_and_the_late_payment_terms(media):
    invoice = issue(customer=BUSINESS, paid=False)

    text = pdf_text(stored_bytes(render_document_pdf(document_id=invoice.pk)))

    for mention in [
        *SELLER_MENTIONS,
        "FACTURE",
        "Santoni Distribution SARL",
        "Paul Santoni",
        "8 boulevard Paoli",
        "20200 Bastia",
        "SIREN 303 265 045",
        "N° TVA FR40303265045",
        "Aucun règlement reçu à ce jour.",
        "Déjà réglé 0,00 €",
        "Net à payer 46,20 €",
        "Pénalités de retard : 3 fois le taux d'intérêt légal",
        "Indemnité forfaitaire pour frais de recouvrement : 40 €",
    ]:
        assert mention in text, mention


def test_a_credit_note_is_titled_avoir_and_names_the_invoice_it_credits(media):
    invoice = issue(customer=CONSUMER)
    credit = issue(
        customer=CONSUMER,
        kind=DocumentKind.CREDIT_NOTE,
        credited=invoice,
        lines=[
            line("T-shirt coton bio", unit_net="12.5000", sku="TSHIRT-M-RED", source_key="return:1:line:1")
        ],
    )

    text = pdf_text(stored_bytes(render_document_pdf(document_id=credit.pk)))

    assert credit.number.startswith("AV-2026-")
    assert "AVOIR" in text and "FACTURE" not in text
    assert f"N° {credit.number}" in text
    assert f"Avoir sur facture {invoice.number} du 14/03/2026" in text
    assert "Total TTC 15,00 €" in text
    for mention in SELLER_MENTIONS:
        assert mention in text, mention


def test_the_document_speaks_the_language_it_was_issued_in(media):
    invoice = issue(customer=CONSUMER.__class__(**{**CONSUMER.__dict__, "language": "en"}))

    text = pdf_text(stored_bytes(render_document_pdf(document_id=invoice.pk)))

    assert "INVOICE" in text and "Total incl. VAT 46.20 €" in text and "Page 1 of 1" in text


def test_many_lines_run_over_pages_with_every_line_and_the_page_count(media):
    lines = [line(f"Article {n:02d}", unit_net="10.0000", sku=f"ART-{n:02d}") for n in range(1, 41)]
    invoice = issue(lines=lines)

    text = pdf_text(stored_bytes(render_document_pdf(document_id=invoice.pk)))

    assert all(f"ART-{n:02d} Article {n:02d}" in text for n in range(1, 41))
    assert "Page 1 sur 2" in text and "Page 2 sur 2" in text
    assert "Total TTC 480,00 €" in text


def test_the_stored_pdf_has_the_sha256_and_size_of_its_bytes(media):
    invoice = issue()

    pdf = render_document_pdf(document_id=invoice.pk)

    data = stored_bytes(pdf)
    assert data.startswith(b"%PDF-")
    assert pdf.sha256 == sha256(data)
    assert pdf.size == len(data)
    assert pdf.render_seconds > 0
    assert pdf.file.name.startswith("invoices/") and pdf.file.name.endswith(".pdf")
    assert invoice.number in pdf.file.name


def test_a_second_render_returns_the_same_row_and_bytes_without_rendering(media, monkeypatch):
    invoice = issue()
    first = render_document_pdf(document_id=invoice.pk)
    first_bytes = stored_bytes(first)

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(rendering, "render_pdf_bytes", must_not_render)
    second = render_document_pdf(document_id=invoice.pk)

    assert second.pk == first.pk
    assert stored_bytes(second) == first_bytes
    assert second.sha256 == first.sha256
    assert InvoicePdf.objects.filter(invoice=invoice).count() == 1
    assert len(list(media.rglob("*.pdf"))) == 1


def test_the_loser_of_two_workers_rendering_at_once_keeps_the_winners_row_and_deletes_its_file(
    media, monkeypatch
):
    """Another worker (simulated) stores the PDF while this one renders: one row, one file."""
    invoice = issue()
    real_render = rendering.render_pdf_bytes
    winner = {}

    def render_while_another_worker_wins(document, lines):
        pdf, timings = real_render(document, lines)
        monkeypatch.setattr(rendering, "render_pdf_bytes", real_render)
        winner["row"] = render_document_pdf(document_id=document.pk)  # the other worker
        return pdf, timings

    monkeypatch.setattr(rendering, "render_pdf_bytes", render_while_another_worker_wins)
    result = render_document_pdf(document_id=invoice.pk)

    assert result.pk == winner["row"].pk
    assert InvoicePdf.objects.filter(invoice=invoice).count() == 1
    assert [p.name for p in media.rglob("*.pdf")] == [result.file.name.rsplit("/", 1)[1]]
    assert sha256(stored_bytes(result)) == result.sha256


def test_an_unknown_document_is_refused(media):
    with pytest.raises(DocumentNotFound):
        render_document_pdf(document_id=999_999)
    assert InvoicePdf.objects.count() == 0
    assert list(media.rglob("*.pdf")) == []


@pytest.mark.parametrize("who", ["consumer", "business", "credit_note"])
def test_the_cut_user_agent_stylesheet_draws_the_same_pages_as_weasyprints_own(media, who, tmp_path):
    """``document_ua.css`` replaces WeasyPrint's HTML5 user-agent stylesheet (a fifth of a render):
    every page must come out pixel for pixel as with the full one. An element added to the template
    without its line in document_ua.css fails here."""
    import subprocess

    from PIL import Image, ImageChops
    from weasyprint import HTML

    invoice = issue(customer=BUSINESS if who == "business" else CONSUMER)
    if who == "credit_note":
        invoice = issue(
            kind=DocumentKind.CREDIT_NOTE,
            credited=invoice,
            lines=[line("T-shirt coton bio", unit_net="12.5000", source_key="return:1:line:1")],
        )
    lines = list(invoice.lines.all())
    cut, _ = rendering.render_pdf_bytes(invoice, lines)
    rendering._html_class[:] = [HTML]
    try:
        full, _ = rendering.render_pdf_bytes(invoice, lines)
    finally:
        rendering._html_class.clear()

    pages = {}
    for name, data in (("cut", cut), ("full", full)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", tmp_path / f"{name}.pdf", tmp_path / name], check=True
        )
        pages[name] = sorted(tmp_path.glob(f"{name}-*.png"))
    assert len(pages["cut"]) == len(pages["full"]) >= 1
    for mine, theirs in zip(pages["cut"], pages["full"], strict=True):
        difference = ImageChops.difference(Image.open(mine).convert("RGB"), Image.open(theirs).convert("RGB"))
        assert difference.getbbox() is None, f"{mine.name} differs in {difference.getbbox()}"
