"""The database refuses UPDATE and DELETE of till journal entries (``pos_journalentry``).

PostgreSQL: a plpgsql row trigger. SQLite: two ``RAISE(ABORT)`` triggers. ``manage.py flush`` (and so
pytest-django between transactional tests) empties every table: PostgreSQL's flush is a TRUNCATE,
which row triggers do not see; SQLite's is a ``DELETE FROM`` per table, so the pos app's ``flush``
command drops the SQLite triggers for the flush and puts them back in the same transaction
(``pos/management/commands/flush.py``). No other code path lifts them.
"""

from __future__ import annotations

from typing import Any

TABLE = "pos_journalentry"

POSTGRES_INSTALL = f"""
CREATE OR REPLACE FUNCTION pos_journalentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'pos_journalentry is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pos_journalentry_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION pos_journalentry_append_only();
"""
POSTGRES_UNINSTALL = f"""
DROP TRIGGER IF EXISTS pos_journalentry_append_only ON {TABLE};
DROP FUNCTION IF EXISTS pos_journalentry_append_only();
"""
SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS pos_journalentry_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'pos_journalentry is append-only (UPDATE refused)'); END",
    f"CREATE TRIGGER IF NOT EXISTS pos_journalentry_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'pos_journalentry is append-only (DELETE refused)'); END",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS pos_journalentry_no_update",
    "DROP TRIGGER IF EXISTS pos_journalentry_no_delete",
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRES_INSTALL if install else POSTGRES_UNINSTALL]
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_UNINSTALL
    return []


def install(schema_editor_or_cursor: Any, vendor: str) -> None:
    for sql in _statements(vendor, install=True):
        schema_editor_or_cursor.execute(sql)


def uninstall(schema_editor_or_cursor: Any, vendor: str) -> None:
    for sql in _statements(vendor, install=False):
        schema_editor_or_cursor.execute(sql)
