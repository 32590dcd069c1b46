"""Where reporting reads: ``REPORTING_DATABASE_URL`` (a read replica) when set, else the default.

``settings.DATABASES["reporting"]`` exists only when the URL is set (``config.settings``).
``ReportingRouter`` sends every read of the reporting tables there; the selectors also read business
tables (stock, customers) with ``.using(read_alias())``. Writes (the facts refresh) always go to the
default database: a replica is read-only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

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
