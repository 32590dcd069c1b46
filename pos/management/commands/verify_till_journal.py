"""``manage.py verify_till_journal [--register CODE]``: walk every chain of the till journal.

Exits 0 with a summary when every entry holds; otherwise exits 1 naming the first broken entry
(register, journal, sequence, what is wrong). See ``pos.services.journal.verify_chains``.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from pos.models import Register
from pos.services import journal


class Command(BaseCommand):
    help = "Verify the till journal's hash chains, sequences and perpetual grand totals."

    def add_arguments(self, parser):
        parser.add_argument("--register", default="", help="Only this register's chains (its code).")

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["register"] and not Register.objects.filter(code=options["register"]).exists():
            raise CommandError(f"No register has the code {options['register']!r}.")
        result = journal.verify_chains(register_code=options["register"] or None)
        if not result.ok:
            raise CommandError(f"Till journal BROKEN at {result.broken}")
        self.stdout.write(
            f"Till journal OK: {result.chains} chain(s), {result.entries} entries verified "
            f"in {time.monotonic() - started:.2f} s."
        )
