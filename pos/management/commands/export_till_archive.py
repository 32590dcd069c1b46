"""``manage.py export_till_archive --from 2026-11-01 --to 2026-11-30 --out FILE.zip [--register CODE]``:
the signed archive of the till journal for a tax inspector (``pos.services.till_archive``)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from pos.services import till_archive


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Export the till journal of a period as a signed zip (JSON, CSV, closings, signed manifest)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", required=True, help="Last day, YYYY-MM-DD (included).")
        parser.add_argument("--out", required=True, help="The zip file to write.")
        parser.add_argument("--register", default="", help="Only this register (its code).")

    def handle(self, *args, **options):
        try:
            summary = till_archive.export_till_archive(
                date_from=_date(options["date_from"]),
                date_to=_date(options["date_to"]),
                out=options["out"],
                register_code=options["register"] or None,
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(
            f"{summary.path}: {summary.entries} entries in {summary.chains} chain(s); manifest SHA-256 "
            f"{summary.manifest_sha256}; signed Ed25519, public key {summary.public_key}"
        )
