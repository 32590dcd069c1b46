"""Thin, idempotent Celery tasks: each calls one inventory service."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_low_stock_alert(*, alert_id: int) -> bool:
    return services.notify_low_stock(alert_id=alert_id)


@shared_task
def release_expired_reservations() -> int:
    return services.release_expired_reservations()
