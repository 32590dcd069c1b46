"""``manage.py check_loyalty``: does the ledger explain every balance? Exits 1 when it does not."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from loyalty.selectors import ledger_mismatches


class Command(BaseCommand):
    help = (
        "For every loyalty account, compare the balance with the sum of its points ledger. Prints each "
        "mismatch and exits non-zero if there is any."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        mismatches, checked = ledger_mismatches()
        for m in mismatches:
            balance = "no account" if m.balance is None else m.balance
            self.stdout.write(
                f"MISMATCH customer {m.customer_id} {m.email}: balance {balance}, ledger {m.ledger}"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} mismatch(es) in {checked} accounts checked.")
        self.stdout.write(self.style.SUCCESS(f"OK: {checked} accounts checked"))
