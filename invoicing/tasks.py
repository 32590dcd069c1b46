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
    """Queued by ``issue_document`` through the outbox: the document's Factur-X PDF, once."""
    # Issue 11, helper B: calls invoicing.services.rendering.
