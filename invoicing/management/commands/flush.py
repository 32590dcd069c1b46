"""Django's ``flush``, letting SQLite's ``DELETE FROM`` remove issued documents while it runs.

On SQLite the triggers of ``invoicing.immutability`` refuse any DELETE of an invoice row unless
this command is emptying the whole database (PostgreSQL's flush is TRUNCATE, which row triggers do
not see). The test suite flushes between transactional tests through this command too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from ...immutability import flush_allowed


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        with flush_allowed():
            super().handle(**options)
