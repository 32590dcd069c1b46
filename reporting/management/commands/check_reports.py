"""``manage.py check_reports``: the reporting tables against the orders, on real data.

Derives every order's facts again and compares them with the stored ones, then every daily roll-up
with its facts. Prints the first differences; exit 1 when there is any (``rebuild_reports`` mends).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compare the reporting facts and roll-ups with the orders; exit 1 on any difference."

    def handle(self, *args: Any, **options: Any) -> None:
        from reporting import facts

        report = facts.check()
        for problem in report.problems:
            self.stdout.write(problem)
        self.stdout.write(
            f"orders={report.orders_checked} facts={report.facts_checked} problems={len(report.problems)}"
        )
        if not report.ok:
            sys.exit(1)
