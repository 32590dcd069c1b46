"""Thin Celery tasks of reporting: each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reporting.tasks.refresh_order_facts")
def refresh_order_facts(order_ids: list[int]) -> int:
    """Queued through the outbox by every order event (``reporting.subscribers``)."""
    from . import facts, realtime

    keys = facts.refresh_orders(order_ids)
    realtime.announce(keys)
    return len(keys)


@shared_task(name="reporting.tasks.refresh_order_range")
def refresh_order_range(first_id: int, last_id: int) -> int:
    """Archived orders (a history import) ``first_id`` to ``last_id``, a chunk at a time."""
    from . import facts

    return facts.refresh_order_range(first_id=first_id, last_id=last_id)


@shared_task(name="reporting.tasks.send_weekly_summaries")
def send_weekly_summaries() -> int:
    """Beat, Monday morning (``REPORTING_WEEKLY_*``): last week's PDF summary to managers."""
    from . import weekly

    return weekly.send_weekly_summaries()


@shared_task(name="reporting.tasks.warm_stock_reports")
def warm_stock_reports() -> int:
    """Beat, more often than ``REPORTING_STOCK_CACHE_SECONDS``: the stock report as pages open it."""
    from .selectors import stock

    return stock.warm_stock_reports()
