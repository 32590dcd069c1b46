"""Document numbers without gaps: orders, store sales, invoices, credit notes.

``next_number("order-W-2026")`` takes the next value of a named sequence with one UPDATE that locks
the sequence's row until the caller's transaction ends. Call it inside the transaction that creates
the document: if that transaction rolls back, so does the number, and the next document takes it.
No number is ever skipped or given twice, at the cost of serialising the writers of one sequence
(keep the rest of the transaction short).
"""

from __future__ import annotations

from django.db import transaction

from .models import NumberSequence


def next_number(name: str) -> int:
    """The next value of the gapless sequence ``name`` (1 for a new one).

    One statement once the sequence exists: ``UPDATE ... RETURNING`` increments, locks the row and
    reads the value back (PostgreSQL and SQLite >= 3.35). A new sequence is inserted first (a
    concurrent first insert wins, ours is ignored), then incremented the same way."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that uses the number.")
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        increment = f"UPDATE {table} SET last_value = last_value + 1 WHERE name = %s RETURNING last_value"
        cursor.execute(increment, [name])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"INSERT INTO {table} (name, last_value) VALUES (%s, 0) ON CONFLICT (name) DO NOTHING", [name]
            )
            cursor.execute(increment, [name])
            row = cursor.fetchone()
    return int(row[0])


def formatted_number(*, series: str, year: int, width: int = 6) -> str:
    """``FA-2026-000001``: the series, the year and the next value of ``{series}-{year}``."""
    return f"{series}-{year}-{next_number(f'{series}-{year}'):0{width}d}"
