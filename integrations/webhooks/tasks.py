"""Thin Celery tasks of the webhooks: each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="integrations.webhooks.tasks.send_webhook")
def send_webhook(delivery_id: int) -> str | None:
    """Queued through the outbox by ``queue_event`` and ``replay_deliveries``: the first attempt."""
    from .services import send_delivery

    result = send_delivery(delivery_id=delivery_id)
    return result.status if result is not None else None


@shared_task(name="integrations.webhooks.tasks.send_due_webhooks")
def send_due_webhooks() -> int:
    """Beat (``WEBHOOK_SWEEP_SECONDS``): retries whose backoff ended and first attempts not yet made."""
    from .services import send_due_deliveries

    return len(send_due_deliveries())
