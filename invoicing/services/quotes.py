"""A B2B quote's PDF (issue 17): rendered here because invoicing owns the WeasyPrint pages; orders,
below, must not import it. ``orders`` publishes ``quote.sent``; ``invoicing.subscribers`` queues the
task ``invoicing.tasks.render_quote_pdf`` through the outbox (after commit, never in the request);
the task calls ``render_quote_pdf``, which hands the bytes to ``orders.services.quotes.store_quote_pdf``
(orders owns the quote's row and file) and then ``email_quote`` sends it to the buyer, once.

A plain A4 page (not a Factur-X document: a quote is no invoice), in the quote's language, with the
same stylesheet cache as the invoices (``rendering._stylesheet``)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from core import legal
from orders.models import Quote
from orders.services import quotes as order_quotes

from .. import document_text as text
from .rendering import _stylesheet, vat_number


def render_quote_pdf(*, quote_id: int) -> Quote:
    """Render and store the quote's PDF unless it has one, then e-mail it (each once)."""
    quote = Quote.objects.select_related("company", "requested_by").get(pk=quote_id)
    if not quote.pdf:
        quote = order_quotes.store_quote_pdf(quote_id=quote.pk, pdf=quote_pdf_bytes(quote))
    order_quotes.email_quote(quote_id=quote.pk)
    return quote


def quote_pdf_bytes(quote: Quote) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    language = text.language_of(quote.language)
    stylesheet, font_config = _stylesheet(language)
    page = quote_html(quote)
    return bytes(HTML(string=page).write_pdf(stylesheets=[stylesheet], font_config=font_config))


def quote_html(quote: Quote) -> str:
    language = text.language_of(quote.language)
    with translation.override(language):
        return render_to_string("invoicing/quote.html", quote_context(quote, language))


def quote_context(quote: Quote, language: str) -> dict[str, Any]:
    seller = legal.seller()
    lines = list(quote.lines.order_by("position", "id"))
    return {
        "language": language,
        "quote": quote,
        "seller": seller,
        "seller_vat": vat_number(seller.vat_number, seller.country),
        "issued_on": text.date(quote.sent_at or timezone.now(), language),
        "valid_until": text.date(quote.valid_until, language) if quote.valid_until else "",
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "list_price": text.unit_price(line.list_unit_price, language),
                "quoted_price": text.unit_price(line.quoted_unit_price, language),
                "discount": text.number(line.discount_percent, language, places=1)
                if line.discount_percent
                else "",
                "vat_rate": text.percent(line.vat_rate, language),
                "total_net": text.money(line.total_net, language),
            }
            for line in lines
        ],
        "total_net": text.money(quote.total_net, language),
        "total_vat": text.money(quote.total_vat, language),
        "total_gross": text.money(quote.total_gross, language),
    }
