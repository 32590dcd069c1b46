"""``manage.py check_stock``: does the ledger explain every stock level? Exits 1 when it does not."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inventory.selectors import check_ledger

PROBLEMS = {
    "on_hand": "on hand differs from the ledger",
    "reserved": "reserved differs from the ledger",
    "no_ledger": "level has no ledger rows",
    "no_level": "ledger rows but no level",
    "lots": "lots do not add up to on hand",
    "lot": "lot differs from its ledger rows",
}


class Command(BaseCommand):
    help = (
        "For every variant and location, compare the stock level with the sum of the ledger (on hand, "
        "reserved, lots). Prints each mismatch and exits non-zero if there is any."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = check_ledger()
        for m in report.mismatches:
            what = f"{m.sku} @ {m.location}" + (f" lot {m.batch}" if m.batch else "")
            level = "-" if m.level is None else m.level
            self.stdout.write(
                f"MISMATCH {what}: {PROBLEMS.get(m.problem, m.problem)} (level {level}, ledger {m.ledger})"
            )
        if not report.ok:
            raise CommandError(
                f"{len(report.mismatches)} mismatch(es) in {report.levels_checked} levels checked."
            )
        self.stdout.write(self.style.SUCCESS(f"OK: {report.levels_checked} levels checked"))
