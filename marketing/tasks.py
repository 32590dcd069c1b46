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


# --- abandoned carts and wishlist alerts (marketing.abandoned_carts, marketing.wishlist) -----


@shared_task
def scan_abandoned_carts() -> int:
    """Beat: queue the abandoned-cart reminders that are due."""
    from . import abandoned_carts

    return abandoned_carts.scan_abandoned_carts().queued


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def send_cart_reminder(*, reminder_id: int) -> bool:
    from . import abandoned_carts

    return abandoned_carts.send_cart_reminder(reminder_id=reminder_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def send_restock_alerts(*, variant_id: int, product_id: int, location_id: int) -> int:
    from . import wishlist

    return wishlist.restock_alerts(variant_id=variant_id, product_id=product_id, location_id=location_id)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def send_price_alerts() -> int:
    """On ``pricing.prices_changed`` and hourly (price lists and promotions also start by the clock)."""
    from . import wishlist

    return wishlist.price_alerts()


# --- storefront traffic (marketing.traffic) -------------------------------------------------------


@shared_task
def flush_traffic() -> int:
    """Beat, every minute: the traffic counters buffered in the cache go to the database."""
    from . import traffic

    return traffic.flush().traffic_rows
