"""Document numbers without gaps: orders, store sales, invoices, credit notes.

``next_number("order-W-2026")`` takes the next value of a named sequence with one UPDATE that locks
the sequence's row until the caller's transaction ends. Call it inside the transaction that creates
the document: if that transaction rolls back, so does the number, and the next document takes it.
No number is ever skipped or given twice, at the cost of serialising the writers of one sequence
(keep the rest of the transaction short).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .models import NumberSequence


def next_number(name: str) -> int:
    """The next value of the gapless sequence ``name`` (1 for a new one)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that uses the number.")
    NumberSequence.objects.get_or_create(name=name)
    NumberSequence.objects.filter(name=name).update(last_value=F("last_value") + 1)  # locks the row
    return NumberSequence.objects.values_list("last_value", flat=True).get(name=name)


def formatted_number(*, series: str, year: int, width: int = 6) -> str:
    """``FA-2026-000001``: the series, the year and the next value of ``{series}-{year}``."""
    return f"{series}-{year}-{next_number(f'{series}-{year}'):0{width}d}"
