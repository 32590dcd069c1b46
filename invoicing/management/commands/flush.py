"""Django's ``flush``, able to empty the tables whose database triggers refuse DELETE on SQLite.

Two apps keep rows that must never change: issued invoices (``invoicing.immutability``) and the
till journal (``pos.journal_db``). On PostgreSQL a flush is a TRUNCATE, which their row triggers do
not see; on SQLite it is a ``DELETE FROM`` per table, so this command lets it through: the till
journal's triggers are dropped and put back in the flush's transaction (pos's ``flush``, which this
one extends), and the invoicing triggers answer ``invoicing_flushing()`` = 1 meanwhile. The test
suite flushes between transactional tests through it.

Django runs the ``flush`` of the first app in INSTALLED_APPS that has one: invoicing comes before
pos, so this is the one (``tests/invoicing/test_immutability.py`` checks it).
"""

from __future__ import annotations

from typing import Any

from pos.management.commands.flush import Command as TillJournalFlush

from ...immutability import flush_allowed


class Command(TillJournalFlush):
    def handle(self, **options: Any) -> None:
        with flush_allowed():
            super().handle(**options)
