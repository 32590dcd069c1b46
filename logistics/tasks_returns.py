"""Celery tasks of portal returns: thin, retryable, each calls one function with an id."""

from __future__ import annotations

from celery import shared_task

from . import returns_emails, services_returns

TRANSIENT = (OSError,)  # the mail server is unreachable (smtplib errors are OSErrors)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def create_return_label(*, request_id: int) -> str:
    """Ask the carrier for the prepaid label; a carrier error is recorded on the RMA, not retried here
    (the shopper or staff press "try again": ``services_returns.retry_return_label``)."""
    rma = services_returns.create_return_label(request_id=request_id)
    return rma.status if rma is not None else ""


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def send_return_email(*, request_id: int, kind: str) -> bool:
    return returns_emails.send_return_email(request_id=request_id, kind=kind)
