"""``manage.py check_availability [--fix]``: does the products' availability table match the stock
levels? Exits 1 when it does not (after ``--fix``, when the rebuild did not mend it)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inventory.selectors import availability_mismatches
from inventory.services import rebuild_availability


class Command(BaseCommand):
    help = (
        "Compare every product's availability row (what the shop's store filter reads) with the sum of "
        "its active variants' stock levels at that location. --fix rebuilds the table from the levels."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--fix", action="store_true", help="Rebuild the rows that disagree.")

    def handle(self, *args: Any, **options: Any) -> None:
        checked, mismatches = availability_mismatches()
        for m in mismatches:
            table = "-" if m.table is None else m.table
            self.stdout.write(
                f"MISMATCH product {m.product_id} @ {m.location}: table {table}, levels {m.levels}"
            )
        if mismatches and options["fix"]:
            changed = rebuild_availability(product_ids={m.product_id for m in mismatches})
            self.stdout.write(f"Rebuilt: {changed} row(s) changed.")
            checked, mismatches = availability_mismatches()
        if mismatches:
            raise CommandError(f"{len(mismatches)} mismatch(es) in {checked} availability rows.")
        self.stdout.write(self.style.SUCCESS(f"OK: {checked} availability rows checked"))
