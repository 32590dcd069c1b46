"""Thin Celery tasks for the core app: each calls one service."""

from celery import shared_task

from .idempotency import purge_expired_idempotency_records


@shared_task
def purge_idempotency_records() -> int:
    """Forget Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS (schedule it hourly in beat)."""
    return purge_expired_idempotency_records()
