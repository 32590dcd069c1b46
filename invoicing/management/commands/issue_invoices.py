"""``manage.py issue_invoices [--date YYYY-MM-DD]``: the daily invoicing run, by hand.

With ``--date``: that day (a past day or today; a day already run issues nothing). Without: every
day due and not run yet (``run_due_days``, what the 18:00 beat does). Prints what it issued.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ApplicationError
from invoicing.services.daily_run import RunResult, run_day, run_due_days

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Command(BaseCommand):
    help = "Issue the day's invoices and credit notes (one invoice per customer per day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help="The business day to invoice, YYYY-MM-DD (default: every day due)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        value = options.get("date")
        try:
            results = [run_day(business_date=_parse(value))] if value is not None else run_due_days()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if not results:
            self.stdout.write("No day is due: nothing to issue.")
        for result in results:
            self.stdout.write(_describe(result))


def _parse(value: str) -> dt.date:
    try:
        if not DATE.match(value.strip()):
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"--date {value!r} is not a date: write it YYYY-MM-DD, e.g. 2026-11-28.") from None


def _describe(result: RunResult) -> str:
    if result.already_done:
        return f"{result.business_date}: already run, nothing new issued."
    return (
        f"{result.business_date}: {result.invoices} invoice(s) and {result.credit_notes} credit note(s) "
        f"issued in {result.seconds:.2f} s."
    )
