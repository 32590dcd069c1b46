"""Thin Celery tasks of invoicing: each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="invoicing.tasks.run_daily_invoicing")
def run_daily_invoicing() -> None:
    """Beat, 18:00 Europe/Paris: the day's invoices and credit notes (and the days missed)."""
    # Issue 11, helper A: calls invoicing.services.daily_run.


@shared_task(name="invoicing.tasks.render_document_pdf")
def render_document_pdf(document_id: int) -> None:
    """Queued by ``issue_document`` through the outbox: the document's Factur-X PDF, once, then its
    first e-mail (key ``initial:<id>``). Safe to run twice: the stored PDF is returned as it is and
    the e-mail key was used, so nothing is rendered or sent again."""
    from .services.delivery import send_document
    from .services.rendering import render_document_pdf as render

    render(document_id=document_id)
    send_document(document_id=document_id, key=f"initial:{document_id}")
