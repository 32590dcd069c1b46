"""Profiles (data files under ``profiles/``) and the CSV / XML writers of every export.

A profile is a JSON file: separator, decimal mark, encoding, date format, and per export kind the
mapping ``generic field -> ERP column`` in the order the columns are written. A field the profile
does not map is not exported. A user adds a profile by adding a file (or a folder of them named by
``ERP_EXPORT_PROFILES_DIRS``).

CSV: UTF-8 with a BOM (what Excel and French ERPs read), ``;``-separated, CRLF, quoted only when
needed. XML: ``<kind><item>`` with one child per mapped column; the order flow groups its records
by document: ``<orders batch="1"><document key="order:5" type="ORDER"><record type="LINE">``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.utils import timezone

from .errors import UnknownExportKind, UnknownFormat, UnknownProfile

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
KINDS = ("products", "stock", "customers", "orders")
FORMATS = ("csv", "xml")
XML_ITEM = {"products": "product", "stock": "level", "customers": "customer", "orders": "record"}


@dataclass(frozen=True)
class Profile:
    name: str
    separator: str
    decimal: str
    encoding: str
    date_format: str
    kinds: Mapping[str, Mapping[str, str]]

    def columns(self, kind: str) -> Mapping[str, str]:
        if kind not in self.kinds:
            raise UnknownExportKind(detail={"kind": kind, "profile": self.name})
        return self.kinds[kind]


def _profile_dirs() -> list[Path]:
    return [Path(p) for p in getattr(settings, "ERP_EXPORT_PROFILES_DIRS", [])] + [BUILTIN_DIR]


def profile_names() -> list[str]:
    return sorted(
        {path.stem for folder in _profile_dirs() if folder.is_dir() for path in folder.glob("*.json")}
    )


def load_profile(name: str) -> Profile:
    """The profile file ``<name>.json``, the settings' folders first, then the built-in ones."""
    for folder in _profile_dirs():
        path = folder / f"{name}.json"
        if name.replace("-", "").replace("_", "").isalnum() and path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            return Profile(
                name=name,
                separator=data.get("separator", ";"),
                decimal=data.get("decimal", "."),
                encoding=data.get("encoding", "utf-8-sig"),
                date_format=data.get("date_format", "%Y-%m-%dT%H:%M:%S%z"),
                kinds={kind: dict(columns) for kind, columns in data["kinds"].items()},
            )
    raise UnknownProfile(detail={"profile": name, "available": profile_names()})


def check_format(file_format: str) -> str:
    if file_format not in FORMATS:
        raise UnknownFormat(detail={"format": file_format, "available": list(FORMATS)})
    return file_format


def format_value(value: Any, profile: Profile) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.replace(".", profile.decimal) if profile.decimal != "." else text
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime(profile.date_format)
    if isinstance(value, dt.date):
        return value.strftime(profile.date_format.split(" ")[0].split("T")[0])
    return str(value)


def write_rows(
    stream: BinaryIO,
    *,
    kind: str,
    rows: Iterable[Mapping[str, Any]],
    profile: Profile,
    file_format: str,
    attributes: Mapping[str, str] | None = None,
) -> int:
    """Write ``rows`` (dicts of generic fields) to ``stream`` in the profile; returns the row count.

    For ``orders`` each row carries ``record`` and ``document_key``; XML groups consecutive rows of
    one document under a ``<document>``."""
    columns = profile.columns(kind)
    csv_file = check_format(file_format) == "csv"
    # XML declares UTF-8 and carries no BOM; CSV is written in the profile's encoding.
    encoding = profile.encoding if csv_file else "utf-8"
    text = io.TextIOWrapper(stream, encoding=encoding, newline="", write_through=False)
    try:
        if csv_file:
            return _write_csv(text, columns, rows, profile)
        return _write_xml(text, kind, columns, rows, profile, attributes or {})
    finally:
        text.flush()
        text.detach()


def _write_csv(
    text: io.TextIOWrapper, columns: Mapping[str, str], rows: Iterable[Mapping[str, Any]], profile: Profile
) -> int:
    writer = csv.writer(text, delimiter=profile.separator, lineterminator="\r\n")
    writer.writerow(columns.values())
    fields = list(columns)
    count = 0
    for row in rows:
        writer.writerow([format_value(row.get(field), profile) for field in fields])
        count += 1
    return count


def _write_xml(
    text: io.TextIOWrapper,
    kind: str,
    columns: Mapping[str, str],
    rows: Iterable[Mapping[str, Any]],
    profile: Profile,
    attributes: Mapping[str, str],
) -> int:
    attrs = "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items())
    text.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<{kind}{attrs}>\n')
    item = XML_ITEM[kind]
    document = None
    count = 0
    for row in rows:
        if kind == "orders" and row.get("document_key") != document:
            if document is not None:
                text.write("  </document>\n")
            document = row.get("document_key")
            text.write(
                f"  <document key={quoteattr(str(document))} type={quoteattr(str(row.get('record')))}>\n"
            )
        head = f"<{item} type={quoteattr(str(row.get('record')))}>" if kind == "orders" else f"<{item}>"
        cells = "".join(
            f"<{column}>{escape(format_value(row.get(field), profile))}</{column}>"
            for field, column in columns.items()
        )
        text.write(f"    {head}{cells}</{item}>\n" if kind == "orders" else f"  {head}{cells}</{item}>\n")
        count += 1
    if document is not None:
        text.write("  </document>\n")
    text.write(f"</{kind}>\n")
    return count


def render(
    *,
    kind: str,
    rows: Iterable[Mapping[str, Any]],
    profile: Profile,
    file_format: str,
    attributes: Mapping[str, str] | None = None,
) -> bytes:
    buffer = io.BytesIO()
    write_rows(buffer, kind=kind, rows=rows, profile=profile, file_format=file_format, attributes=attributes)
    return buffer.getvalue()
