"""``manage.py import_erp_invoices FILE.csv``: issue the ERP invoices of one export file.

Prints the report (imported, already imported, refused with line numbers). Exit status: 0 when
nothing was refused, 1 when rows or invoices were refused (the others were imported), 2 when the file
could not be read at all (nothing imported).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoicing.errors import InvalidErpFile
from invoicing.services.erp_import import MAX_BYTES, import_erp_invoices


class Command(BaseCommand):
    help = "Import the invoices of an ERP CSV export (one row per invoice line, ';' separated)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file exported by the ERP.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=2) from exc
        try:
            report = import_erp_invoices(data=data, filename=path.name)
        except InvalidErpFile as exc:
            raise CommandError(f"{path.name}: {exc.message}", returncode=2) from exc
        self.stdout.write(report.as_text())
        if not report.ok:
            raise CommandError(
                f"{len(report.refused)} invoice(s) refused: fix the rows above and import the file again "
                "(the invoices already imported are skipped).",
                returncode=1,
            )
