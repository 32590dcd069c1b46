"""``manage.py erp_export KIND [--format csv|xml] [--profile NAME] [--out PATH]``.

``products``, ``stock``, ``customers``: one file (``--out``, else the outbox folder).
``orders``: the order flow: unacknowledged batches written again, new batches built and written to
the outbox folder (``--out`` is a folder there). Last line: what was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ApplicationError
from integrations.exports import catalogue, services
from integrations.exports.formats import FORMATS, KINDS


class Command(BaseCommand):
    help = "Export products, stock, customers or the order flow to the ERP (CSV or XML, in a profile)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--format", dest="file_format", choices=FORMATS, default=None)
        parser.add_argument(
            "--profile", default=None, help="generic, sage100, cegid, or a profile file's name"
        )
        parser.add_argument("--out", default=None, help="The file (orders: the folder) to write.")

    def handle(
        self,
        *args: Any,
        kind: str,
        file_format: str | None,
        profile: str | None,
        out: str | None,
        **options: Any,
    ) -> None:
        fmt = file_format or settings.ERP_EXPORT_FORMAT
        name = profile or settings.ERP_EXPORT_PROFILE
        try:
            if kind == "orders":
                result = services.export_orders(
                    profile=name, file_format=fmt, outbox=Path(out) if out else None
                )
                self.stdout.write(
                    f"acknowledged={len(result.acknowledged)} resent={len(result.resent)} "
                    f"built={len(result.built)} batches={','.join(map(str, result.built)) or '-'}"
                )
                return
            path, count = catalogue.export_file(
                kind=kind, file_format=fmt, profile=name, path=Path(out) if out else None
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(f"rows={count} file={path}")
