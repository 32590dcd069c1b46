"""Formatting of the dashboard's cells (French-style numbers follow the active language's formats)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.formats import date_format, number_format

register = template.Library()


@register.filter
def report_cell(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "–"
    if kind == "money":
        return f"{number_format(value, 2, use_l10n=True, force_grouping=True)} €"
    if kind == "percent":
        return f"{number_format(Decimal(value) * 100, 1, use_l10n=True)} %"
    if kind == "decimal":
        return number_format(value, 2, use_l10n=True, force_grouping=True)
    if kind == "int":
        return number_format(value, 0, use_l10n=True, force_grouping=True)
    if kind == "date" and isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@register.filter
def sort_value(value: Any) -> str:
    """What the browser sorts on: the raw number or ISO date, never the formatted text."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@register.simple_tag
def query_with(request: HttpRequest, **changes: Any) -> str:
    """The request's query string with ``changes`` (``None`` removes a key): links that keep the period."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
