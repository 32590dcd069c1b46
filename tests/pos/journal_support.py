"""Helpers of the till journal tests: read a chain, and change rows behind the trigger's back."""

from django.db import connection

from pos import journal_db
from pos.models import JournalEntry

GENESIS = "0" * 64


def chain(register, journal="sales"):
    return list(JournalEntry.objects.filter(register=register, journal=journal).order_by("sequence"))


def assert_linked(entries):
    """Sequences 1..n, each previous hash the hash before it, each hash recomputed."""
    previous = GENESIS
    for i, entry in enumerate(entries, start=1):
        assert entry.sequence == i
        assert entry.previous_hash == previous
        assert entry.compute_hash() == entry.hash
        previous = entry.hash


def behind_the_trigger(sql, params=()):
    """Run raw SQL on the journal with its append-only trigger lifted (what an attacker with the
    database's owner rights could do), then put the trigger back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser's way round triggers (ALTER TABLE ... DISABLE TRIGGER would do too, outside a
            # transaction holding deferred foreign-key checks).
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = origin")
        else:
            journal_db.uninstall(cursor, "sqlite")
            cursor.execute(sql, params)
            journal_db.install(cursor, "sqlite")


def trigger_names():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = 'pos_journalentry'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'pos_journalentry'"
            )
        return sorted(row[0] for row in cursor.fetchall())
