"""Thin Celery tasks of invoicing: each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="invoicing.tasks.run_daily_invoicing")
def run_daily_invoicing() -> None:
    """Beat, 18:00 Europe/Paris: the day's invoices and credit notes (and the days missed)."""
    # Issue 11, helper A: calls invoicing.services.daily_run.


@shared_task(name="invoicing.tasks.render_document_pdf")
def render_document_pdf(document_id: int) -> None:
    """Queued by ``issue_document`` through the outbox: the document's Factur-X PDF, once."""
    # Issue 11, helper B: calls invoicing.services.rendering.
