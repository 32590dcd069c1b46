"""One shape for every table of the dashboard: shown (sortable), exported to CSV and XLSX the same.

A selector returns a ``Table``: columns (key, label, kind) and rows (dicts). The page renders it with
``{% include "reporting/_table.html" with table=... %}`` (headers sort in the browser,
``static/reporting/tables.js``; the export links keep the query string); the view answers
``?export=csv`` / ``?export=xlsx`` with ``export_response(table, name)``. Numbers stay numbers in
XLSX (a manager sums them in Excel); CSV is ``;``-separated UTF-8 with BOM and a decimal comma, as a
French Excel opens it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify

KINDS = ("text", "int", "money", "percent", "decimal", "date")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # one of KINDS: how it is aligned, formatted and typed in XLSX


@dataclass
class Table:
    title: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Any] | None = None  # a last "total" row, when the figures add up

    def cells(self) -> list[list[tuple[Column, Any]]]:
        """Rows as [(column, value)] in column order (what the template iterates)."""
        return [[(column, row.get(column.key)) for column in self.columns] for row in self.rows]

    def total_cells(self) -> list[tuple[Column, Any]] | None:
        if self.total is None:
            return None
        return [(column, self.total.get(column.key)) for column in self.columns]


EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_FORMATS = {
    "money": "#,##0.00",
    "percent": "0.0%",
    "decimal": "#,##0.00",
    "int": "#,##0",
    "date": "yyyy-mm-dd",
}


def export_response(table: Table, name: str, file_format: str) -> HttpResponse:
    """The table as a download: ``<name>.csv`` or ``<name>.xlsx``."""
    filename = slugify(name) or "report"
    if file_format == "xlsx":
        content, content_type = (
            _xlsx(table),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif file_format == "csv":
        content, content_type = _csv(table), "text/csv; charset=utf-8"
    else:
        raise ValueError(f"unknown export format {file_format!r}")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


def _rows(table: Table) -> list[list[Any]]:
    rows = [[row.get(column.key) for column in table.columns] for row in table.rows]
    if table.total is not None:
        rows.append([table.total.get(column.key) for column in table.columns])
    return rows


def _csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(column.label) for column in table.columns])
    for values in _rows(table):
        writer.writerow(
            [_csv_value(value, column.kind) for value, column in zip(values, table.columns, strict=True)]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(value: Any, kind: str = "text") -> str:
    """A decimal comma; money to the cent (SQLite sums come back as ``12.5`` or as floats)."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        number = Decimal(str(value)) if isinstance(value, float) else value
        if kind == "money":
            number = number.quantize(Decimal("0.01"))
        return f"{number}".replace(".", ",")
    return str(value)


def _xlsx(table: Table) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = re.sub(r"[\\/?*\[\]:]", " ", table.title or "Report")[:31].strip() or "Report"
    sheet.append([str(column.label) for column in table.columns])  # lazy translations too
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in _rows(table):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in values])
        for column, cell in zip(table.columns, sheet[sheet.max_row], strict=True):
            if column.kind in XLSX_FORMATS:
                cell.number_format = XLSX_FORMATS[column.kind]
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            10, len(str(column.label)) + 2
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
