"""Thin Celery tasks for payments: each calls one service."""

from celery import shared_task

from . import services


@shared_task
def retry_failed_refunds() -> int:
    """Beat, every 15 minutes: refunds the provider refused or could not be reached for."""
    return services.retry_failed_refunds()


@shared_task
def execute_refund(*, refund_id: int) -> str:
    """After the commit that wrote a pending refund (through the outbox): ask the provider.

    No Celery retry: a refund the provider refused or could not be reached for is failed, and
    ``retry_failed_refunds`` (beat) asks again."""
    return services.execute_refund(refund_id=refund_id).status
