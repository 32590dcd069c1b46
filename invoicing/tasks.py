"""Thin Celery tasks of invoicing: each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="invoicing.tasks.run_daily_invoicing")
def run_daily_invoicing() -> int:
    """Beat, 18:00 Europe/Paris: the day's invoices and credit notes (and the days missed).
    Returns how many documents it issued; their PDFs are queued by each document's issuing."""
    from .services.daily_run import run_due_days

    return sum(result.invoices + result.credit_notes for result in run_due_days())


@shared_task(name="invoicing.tasks.render_document_pdf")
def render_document_pdf(document_id: int) -> None:
    """Queued by ``issue_document`` through the outbox: the document's Factur-X PDF, once, then its
    first e-mail (key ``initial:<id>``). Safe to run twice: the stored PDF is returned as it is and
    the e-mail key was used, so nothing is rendered or sent again."""
    from .services.delivery import send_document
    from .services.rendering import render_document_pdf as render

    render(document_id=document_id)
    send_document(document_id=document_id, key=f"initial:{document_id}")


@shared_task(
    name="invoicing.tasks.render_quote_pdf",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=900,
    max_retries=8,
)
def render_quote_pdf(quote_id: int) -> None:
    """Queued when staff send a B2B quote (``quote.sent``): its PDF, once, then its e-mail, once."""
    from .services.quotes import render_quote_pdf as render

    render(quote_id=quote_id)
