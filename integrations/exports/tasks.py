"""Beat tasks of the ERP exports: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import catalogue, services


@shared_task
def export_erp_orders() -> list[int]:
    """Beat, nightly (``ERP_EXPORT_ORDERS_HOUR``): acks read, unacknowledged batches re-sent, new
    batches built and sent. Returns the new batches' ids."""
    return services.export_orders().built


@shared_task
def export_erp_stock() -> int:
    """Beat, every ``ERP_EXPORT_STOCK_MINUTES``: the stock file in the outbox folder."""
    return catalogue.export_file(
        kind="stock", file_format=settings.ERP_EXPORT_FORMAT, profile=settings.ERP_EXPORT_PROFILE
    )[1]


@shared_task
def read_erp_acks() -> list[int]:
    """Beat, every ``ERP_ACK_POLL_MINUTES``: ``ACK_<batch id>.txt`` files of the ack inbox."""
    return services.process_ack_inbox()
