"""Django's ``flush``, able to empty the till journal on SQLite too (see ``pos.journal_db``).

Flush empties every table of the database. On PostgreSQL it is a TRUNCATE, which the journal's row
trigger does not see; on SQLite it is a ``DELETE FROM`` per table, which the journal's triggers
refuse, so they are dropped for the flush and created again in the same transaction. pytest-django
calls this command between transactional tests.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

from pos import journal_db


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
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
