"""Thin, idempotent, retryable Celery tasks for marketing."""

from __future__ import annotations

from celery import shared_task

# Worth another try: the mail server is unreachable (smtplib errors are OSErrors).
TRANSIENT = (OSError,)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def send_newsletter_confirmation(*, consent_id: int) -> bool:
    from . import messages  # messages imports services, which imports this module

    return messages.send_newsletter_confirmation(consent_id=consent_id)
