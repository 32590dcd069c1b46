"""Thin Celery tasks for payments: each calls one service."""

from celery import shared_task

from . import services


@shared_task
def retry_failed_refunds() -> int:
    """Beat, every 15 minutes: refunds the provider refused or could not be reached for."""
    return services.retry_failed_refunds()
