"""Thin, idempotent, retryable Celery tasks for marketing."""

from __future__ import annotations

from celery import shared_task

# Worth another try: the mail server is unreachable (smtplib errors are OSErrors).
TRANSIENT = (OSError,)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def send_newsletter_confirmation(*, consent_id: int) -> bool:
    from . import messages  # messages imports services, which imports this module

    return messages.send_newsletter_confirmation(consent_id=consent_id)


# --- segments and campaigns (marketing.services_segments, marketing.services_campaigns) ----------


@shared_task
def refresh_rfm() -> dict[str, int]:
    from . import services_segments

    return services_segments.refresh_rfm()


@shared_task
def start_due_campaigns() -> list[int]:
    from . import services_campaigns

    return services_campaigns.start_due_campaigns()


@shared_task
def send_campaign_batch(*, campaign_id: int) -> int:
    """One batch: claims, sends and logs up to MARKETING_CAMPAIGN_BATCH recipients."""
    from . import services_campaigns

    return services_campaigns.send_batch(campaign_id=campaign_id).sent


@shared_task
def resume_stuck_campaigns() -> int:
    from . import services_campaigns

    return services_campaigns.resume_stuck_campaigns()
