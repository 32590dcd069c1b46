"""``manage.py erp_import KIND PATH [--profile NAME] [--dry-run]``: import an ERP file.

Prints the report; its last line is ``created=N updated=N unchanged=N rejected=N``. Exit status: 0
nothing rejected, 3 some rows rejected (the valid ones applied), 2 the file cannot be read at all
(nothing applied). The report and the rejected rows (line, column, reason) are written to
``ERP_REPORT_DIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.imports.models import ImportKind
from integrations.imports.profiles import UnknownProfile
from integrations.imports.services import create_run, exit_code, run_import


class Command(BaseCommand):
    help = "Import products, stock, prices, customers or order history from an ERP's CSV or XML file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("path")
        parser.add_argument(
            "--profile", default="", help="Column mapping (generic, sage100, cegid...). Default: detected."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would change; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            run = create_run(
                kind=options["kind"], path=path, profile=options["profile"], dry_run=options["dry_run"]
            )
        except UnknownProfile as exc:
            raise CommandError(str(exc)) from exc
        run = run_import(run=run)
        self.stdout.write(run.report)
        self.stdout.flush()
        code = exit_code(run)
        if code:
            sys.exit(code)
