"""A postal address as the lines a person reads (name, street, town, country): for the admin's order,
invoice and customer pages instead of the raw ``{"line1": ..., "city": ...}`` snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from .services import COUNTRIES


def address_lines(address: Mapping[str, Any] | None) -> list[str]:
    """The address's lines in reading order, empty parts left out. Reads an order's or an invoice's
    snapshot (``first_name``, ``last_name`` or ``name``, ``company``, ``line1``, ``line2``,
    ``postal_code``, ``city``, ``country``, ``phone``) or anything with those keys."""
    if not address:
        return []
    get = address.get
    name = str(get("name") or "") or " ".join(str(get(k) or "") for k in ("first_name", "last_name")).strip()
    town = " ".join(str(get(k) or "") for k in ("postal_code", "city")).strip()
    code = str(get("country") or "")
    country = str(dict(COUNTRIES).get(code.upper(), code)) if code else ""
    lines = [name, get("company"), get("line1"), get("line2"), town, country, get("phone")]
    return [str(line).strip() for line in lines if line and str(line).strip()]


def address_html(address: Mapping[str, Any] | None) -> SafeString | str:
    """The lines joined by ``<br>`` (each escaped), or "-" when there is no address."""
    lines = address_lines(address)
    if not lines:
        return "-"
    return format_html_join(mark_safe("<br>\n"), "{}", ((line,) for line in lines))
