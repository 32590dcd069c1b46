"""Where reporting reads: ``REPORTING_DATABASE_URL`` (a read replica) when set, else the default.

``settings.DATABASES["reporting"]`` exists only when the URL is set (``config.settings``).
``ReportingRouter`` sends every read of the reporting tables there; the selectors also read business
tables (stock, customers) with ``.using(read_alias())``. Writes (the facts refresh) always go to the
default database: a replica is read-only.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections

ALIAS = "reporting"


def read_alias() -> str:
    return ALIAS if ALIAS in settings.DATABASES else "default"


class ReportingRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if model._meta.app_label == "reporting" and ALIAS in settings.DATABASES:
            return ALIAS
        return None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return "default" if model._meta.app_label == "reporting" else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True if ALIAS in settings.DATABASES else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == ALIAS else None  # the replica follows the primary; never migrate it


def fetch_rows(sql: str, params: dict[str, Any] | list[Any]) -> list[dict[str, Any]]:
    """A raw SQL read on ``read_alias()``, as dicts, with the types the ORM would give on every
    database: SQLite (the demo) returns sums of decimals as floats and dates as text, PostgreSQL
    ``Decimal`` and ``date``; floats become ``Decimal`` (to 6 places: a sum of cents stays exact) and
    ISO date text (``YYYY-MM-DD``) a ``date``."""
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    return [{name: typed(value) for name, value in zip(names, row, strict=True)} for row in rows]


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def typed(value: Any) -> Any:
    """A raw SQL value as the ORM would give it (see ``fetch_rows``)."""
    if isinstance(value, float):
        return Decimal(repr(round(value, 6)))
    if isinstance(value, str) and ISO_DATE.match(value):
        return dt.date.fromisoformat(value)
    return value


def on_postgresql() -> bool:
    return connections[read_alias()].vendor == "postgresql"


def month_start(expression: str) -> str:
    """SQL for the first day of the month of a date ``expression``, on the read database's dialect."""
    if on_postgresql():
        return f"date_trunc('month', {expression})::date"
    return f"date({expression}, 'start of month')"
