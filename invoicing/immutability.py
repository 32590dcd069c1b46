"""Issued documents never change: database triggers refuse UPDATE and DELETE of their rows.

Migration ``0003_immutable_documents`` installs them (its SQL is written there) on ``invoicing_invoice``,
``invoicing_invoiceline`` and ``invoicing_invoicepdf``:

- PostgreSQL: one plpgsql function raising SQLSTATE 23000 (integrity constraint violation, so
  Django raises ``IntegrityError`` as it does for the other constraints) and a BEFORE UPDATE OR
  DELETE row trigger per table. ``TRUNCATE`` (the whole table, what ``manage.py flush`` and the
  test suite's flush do) fires no row trigger: wiping a whole database stays possible, altering or
  removing one document does not.
- SQLite: BEFORE UPDATE and BEFORE DELETE triggers ``RAISE(ABORT, ...)`` (also ``IntegrityError``).
  SQLite has no TRUNCATE, its flush is ``DELETE FROM``: the DELETE triggers let a row go only while
  the SQL function ``invoicing_flushing()`` answers 1, which it does only inside this project's
  ``flush`` command (``invoicing.management.commands.flush``, Django's, wrapped). A connection
  without the function (the sqlite3 shell) fails closed: the DELETE is refused.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

TABLES = ("invoicing_invoice", "invoicing_invoiceline", "invoicing_invoicepdf")

_flushing = threading.local()


def flushing() -> int:
    return 1 if getattr(_flushing, "on", False) else 0


@contextlib.contextmanager
def flush_allowed() -> Iterator[None]:
    """Only for the whole-database flush: SQLite's DELETE FROM may remove documents meanwhile."""
    _flushing.on = True
    try:
        yield
    finally:
        _flushing.on = False


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: give SQLite connections the ``invoicing_flushing()`` function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("invoicing_flushing", 0, flushing, deterministic=False)
