"""Thin Celery tasks for the core app: each calls one service."""

from celery import shared_task

from . import outbox
from .idempotency import purge_expired_idempotency_records


@shared_task
def purge_idempotency_records() -> int:
    """Forget Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS (schedule it hourly in beat)."""
    return purge_expired_idempotency_records()


@shared_task
def relay_outbox() -> int:
    """Beat, every 15 s, and when a worker starts: publish the outbox messages that are due."""
    return len(outbox.relay_all().published)


@shared_task
def purge_outbox() -> int:
    """Beat, hourly: forget sent outbox messages older than OUTBOX_RETENTION_DAYS."""
    return outbox.purge_sent_messages()
