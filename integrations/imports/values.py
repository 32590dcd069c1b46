"""Field values as French ERPs write them: decimal comma or point, thousands by space, NBSP or dot,
dates dd/mm/yyyy or ISO, booleans 1/0, oui/non, yes/no, true/false. Each parser raises
``BadValue`` with a reason a person can act on."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from catalog.validators import is_valid_ean13


class BadValue(ValueError):
    pass


_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DOT_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")


def parse_decimal(raw: str) -> Decimal:
    """``1 234,56`` ``1.234,56`` ``1234.56`` ``1,234.56`` ``12,5`` ``-3`` ``20 %`` -> Decimal."""
    text = _SPACES.sub("", raw).rstrip("%€").strip()
    if not text:
        raise BadValue("empty")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):  # 1.234,56
            text = text.replace(".", "").replace(",", ".")
        else:  # 1,234.56
            text = text.replace(",", "")
    elif "," in text:
        if text.count(",") > 1 and _COMMA_THOUSANDS.match(text):
            text = text.replace(",", "")
        else:
            text = text.replace(",", ".")
    elif text.count(".") > 1 and _DOT_THOUSANDS.match(text):
        text = text.replace(".", "")
    if not _NUMBER.match(text):
        raise BadValue(f"{raw!r} is not a number")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex above prevents it
        raise BadValue(f"{raw!r} is not a number") from exc


def parse_int(raw: str) -> int:
    """A whole number; ``1.250`` and ``1 250`` are 1250 (thousands), ``3,0`` is 3."""
    text = _SPACES.sub("", raw)
    if _DOT_THOUSANDS.match(text) and "," not in text:
        text = text.replace(".", "")
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise BadValue(f"{raw!r} is not a whole number")
    return int(value)


_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[T ].*)?$"), ("d", "m", "y")),
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})$"), ("d", "m", "yy")),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
)


def parse_date(raw: str) -> dt.date:
    """``31/12/2025``, ``31-12-2025``, ``31.12.2025``, ``31/12/25``, ``2025-12-31`` (a time after it
    is ignored), ``20251231``."""
    text = raw.strip()
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            year = parts.get("y") or 2000 + parts["yy"]
            try:
                return dt.date(year, parts["m"], parts["d"])
            except ValueError as exc:
                raise BadValue(f"{raw!r} is not a date") from exc
    raise BadValue(f"{raw!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)")


_TRUE = {"1", "oui", "o", "yes", "y", "true", "vrai", "x", "on"}
_FALSE = {"0", "non", "n", "no", "false", "faux", "off", ""}


def parse_bool(raw: str) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue(f"{raw!r} is not yes or no")


def parse_ean(raw: str) -> str:
    text = _SPACES.sub("", raw)
    if len(text) == 12 and text.isdigit():  # an UPC-A or an EAN written without its leading zero
        text = "0" + text
    if not is_valid_ean13(text):
        raise BadValue(f"{raw!r} is not a valid EAN-13 (check digit)")
    return text


def parse_vat_rate(raw: str) -> Decimal:
    """``20``, ``20 %``, ``5,5``, ``0.2`` -> the fraction (0.2000)."""
    value = parse_decimal(raw)
    if value < 0:
        raise BadValue(f"{raw!r} is negative")
    if value >= 1:
        value = value / 100
    return value.quantize(Decimal("0.0001"))
