"""Thin, idempotent, retryable Celery tasks for orders: each calls one service with ids."""

from celery import shared_task

from core.errors import ApplicationError
from core.sms import SmsError

from . import notifications
from .services import abandoned, b2b_terms, ereservation, pickup, quotes

# Worth another try: the mail server or the SMS provider is unreachable (smtplib errors are OSErrors).
TRANSIENT = (OSError, SmsError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def send_order_email(*, order_id: int, kind: str, reference: str = "") -> bool:
    return notifications.send_order_email(order_id=order_id, kind=kind, reference=reference)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def send_company_email(*, order_id: int, kind: str, reference: str = "") -> bool:
    return notifications.send_company_email(order_id=order_id, kind=kind, reference=reference)


@shared_task
def remind_overdue_terms_orders() -> int:
    """Beat, daily: the companies' orders on terms past their due date, once per order and week."""
    return b2b_terms.remind_overdue()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def send_order_sms(*, order_id: int, kind: str, reference: str = "") -> bool:
    return notifications.send_order_sms(order_id=order_id, kind=kind, reference=reference)


@shared_task(
    autoretry_for=(Exception,),
    dont_autoretry_for=(ApplicationError,),
    retry_backoff=True,
    retry_backoff_max=1800,
    max_retries=10,
)
def refund_cancelled_order(*, order_id: int, reason: str, user_id: int | None = None) -> bool:
    """``payments.services.refund_order`` is idempotent, so a retry never refunds twice."""
    return pickup.refund_cancelled_order(order_id=order_id, reason=reason, user_id=user_id) is not None


@shared_task
def cancel_uncollected_orders() -> int:
    """Beat, hourly: click & collect orders not collected within CLICK_COLLECT_PICKUP_DAYS."""
    return pickup.cancel_uncollected_orders()


@shared_task
def renew_pickup_holds() -> int:
    """Beat, hourly: paid click & collect orders not yet ready keep their units."""
    return pickup.renew_pickup_holds()


@shared_task
def cancel_abandoned_orders() -> int:
    """Beat, every few minutes: web orders left awaiting payment with no payment in progress."""
    return abandoned.cancel_abandoned_orders()


@shared_task
def expire_e_reservations() -> int:
    """Beat, every 5 minutes: reservations past their hold are cancelled, units back on the shelf."""
    return ereservation.expire_e_reservations()


@shared_task
def remind_e_reservations() -> int:
    """Beat, every 15 minutes: the shopper is reminded E_RESERVATION_REMINDER_HOURS before the end."""
    return ereservation.remind_e_reservations()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=900, max_retries=8)
def send_store_reservation_notice(*, order_id: int) -> bool:
    """The store's e-mail: a shopper reserved items to try there."""
    return notifications.send_store_reservation_notice(order_id=order_id)


@shared_task
def expire_quotes() -> int:
    """Beat, daily: sent B2B quotes past their validity become expired."""
    return quotes.expire_quotes()
