"""Django's ``flush``, able to empty the till journal on SQLite too (see ``pos.journal_db``), and
fast between transactional tests on PostgreSQL.

Flush empties every table of the database. On PostgreSQL it is a TRUNCATE, which the journal's row
trigger does not see; on SQLite it is a ``DELETE FROM`` per table, which the journal's triggers
refuse, so they are dropped for the flush and created again in the same transaction. pytest-django
calls this command between transactional tests.

Between tests (``reset_sequences`` off, not interactive: only the test runner asks that), a
PostgreSQL TRUNCATE of the ~190 tables costs seconds (new files for every table and index), while
the tables hold a few rows: a ``DELETE FROM`` per table, with the row triggers (foreign keys, the
append-only ledger and journal, issued invoices) off for this transaction only
(``session_replication_role = replica``, superuser only: otherwise TRUNCATE as before), empties the
same tables in milliseconds. The content types and permissions are kept rather than deleted and
made again by ``post_migrate`` (the same rows; that alone took 0.6 s). ``manage.py flush`` by hand
resets the sequences: always TRUNCATE.
"""

from typing import Any

from django.core.management.color import no_style
from django.core.management.commands import flush
from django.db import DatabaseError, connections, transaction

from pos import journal_db

KEPT = {"django_content_type", "auth_permission"}  # what post_migrate would write back as it was


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
        between_tests = not options.get("reset_sequences", True) and not options.get("interactive", True)
        if connection.vendor == "postgresql" and between_tests and self._delete_all(connection, options):
            return None
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                journal_db.uninstall(cursor, connection.vendor)
            try:
                super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    journal_db.install(cursor, connection.vendor)
        return None

    def _delete_all(self, connection: Any, options: dict[str, Any]) -> bool:
        self.style = no_style()
        tables = [
            table
            for table in connection.introspection.django_table_names(only_existing=True, include_views=False)
            if table not in KEPT
        ]
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                for table in tables:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
        except DatabaseError:  # not a superuser: the plain flush
            return False
        return True  # post_migrate would only make the kept content types and permissions again
