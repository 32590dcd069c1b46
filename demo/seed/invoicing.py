"""The demo shopper's first invoice: today's daily run, so "My invoices" in the portal has one.

The run of a day takes what is pending when it runs (``invoicing.services.daily_run``): a demo
seeded in the morning invoices the shopper's two paid orders now, and sales made later in the demo
wait for tomorrow's 18:00 run (``manage.py issue_invoices --date`` issues any day by hand). The PDF
is rendered by the outbox task, eagerly in the demo. Re-runnable: a day already run issues nothing.
"""

from __future__ import annotations

from django.utils import timezone

from invoicing.services.daily_run import run_day


def seed() -> int:
    """Run today's invoicing; returns how many documents it issued."""
    result = run_day(business_date=timezone.localdate())
    return result.invoices + result.credit_notes
