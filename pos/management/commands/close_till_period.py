"""``manage.py close_till_period --month 2026-11`` or ``--year 2026``: the tills' monthly or yearly
closings, chained in each register's journal (``pos.services.closings``). Idempotent."""

import re

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from pos.services import closings


class Command(BaseCommand):
    help = "Close a month (--month YYYY-MM) or a year (--year YYYY) of every register's till journal."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--month", help="YYYY-MM")
        group.add_argument("--year", help="YYYY (closes the year's months first)")

    def handle(self, *args, **options):
        try:
            if options["month"]:
                match = re.fullmatch(r"(\d{4})-(\d{2})", options["month"])
                if not match:
                    raise CommandError("--month is YYYY-MM, e.g. 2026-11.")
                run = closings.close_month(year=int(match[1]), month=int(match[2]))
            else:
                if not re.fullmatch(r"\d{4}", options["year"]):
                    raise CommandError("--year is YYYY, e.g. 2026.")
                run = closings.close_year(year=int(options["year"]))
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from None
        for entry in run.created:
            self.stdout.write(
                f"{run.period} {entry.register.code}: closing #{entry.sequence}, net {entry.total_gross}, "
                f"grand total {entry.grand_total_perpetual}, hash {entry.hash[:12]}"
            )
        self.stdout.write(
            f"{run.period}: {len(run.created)} closing(s) written, {len(run.already_closed)} already closed."
        )
