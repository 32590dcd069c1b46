"""Thin Celery tasks: each calls one POS service."""

from celery import shared_task

from .services import notifications


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def notify_stock_discrepancies(*, discrepancy_ids: list[int]) -> int:
    return notifications.notify_stock_discrepancies(discrepancy_ids=discrepancy_ids)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_receipt_email(*, order_id: int, email: str) -> bool:
    from .services import receipts

    return receipts.send_receipt_email(order_id=order_id, email=email)


@shared_task
def close_till_periods() -> int:
    """Beat: the tills' monthly closing of last month (and the yearly one in January); idempotent."""
    from .services import closings

    return sum(len(run.created) for run in closings.close_previous_periods())
