"""Reading an export back: CSV rows as dicts (the BOM and CRLF checked)."""

from __future__ import annotations

import csv
import io

FIELDS = (
    "record",
    "document_key",
    "order_number",
    "sku",
    "quantity",
    "discount_ttc",
    "promo_code",
    "amount_ttc",
    "method",
    "status",
)


def csv_rows(content: bytes, *, separator: str = ";") -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM"
    text = content.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=separator))


def summary(content: bytes) -> list[tuple[str, ...]]:
    return [tuple(row[field] for field in FIELDS) for row in csv_rows(content)]
