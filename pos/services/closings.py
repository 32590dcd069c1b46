"""Monthly and yearly closings of the tills, computed from the journal and chained in it.

A closing is an entry of a register's ``closings`` chain (kind ``month`` or ``year``, ``period``
``2026-11`` or ``2026``; the Z of each session is the same chain's kind ``z``, written when the
session closes). It adds up the register's sales-chain entries the server recorded in the period
(Europe/Paris calendar, ``created_at``: an offline sale counts in the period it synced in, where it
sits in the chain): counts of sales and returns, totals per VAT rate, per tender, the period's net
total and the perpetual grand totals at its end. A yearly closing first closes the year's months
that were not closed, and names their hashes.

Idempotent: a period already closed for a register is left as it is (a unique constraint on
register, kind and period backs the check, made under the chain head's lock). A period that has
not ended yet cannot be closed (``PeriodNotOver``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.errors import ValidationFailed

from ..journal_models import EntryKind, Journal, JournalEntry
from ..models import Register
from . import journal

ZERO = Decimal("0.00")


class PeriodNotOver(ValidationFailed):
    code = "period_not_over"
    default_message = "This period has not ended yet: it can be closed once it is over."


@dataclass
class ClosingRun:
    period: str
    created: list[JournalEntry] = field(default_factory=list)
    already_closed: list[JournalEntry] = field(default_factory=list)


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def close_month(*, year: int, month: int, now: dt.datetime | None = None) -> ClosingRun:
    """Close ``year-month`` for every register with journal entries before its end."""
    if not 1 <= month <= 12:
        raise ValidationFailed("A month is from 1 to 12.", detail={"month": month})
    start, end = month_bounds(year, month)
    return _close(kind=EntryKind.MONTH, period=f"{year:04d}-{month:02d}", start=start, end=end, now=now)


def close_year(*, year: int, now: dt.datetime | None = None) -> ClosingRun:
    """Close each month of ``year`` not closed yet, then the year, for every register."""
    start, end = year_bounds(year)
    _check_over(f"{year:04d}", end, now)
    for month in range(1, 13):
        close_month(year=year, month=month, now=now)
    return _close(kind=EntryKind.YEAR, period=f"{year:04d}", start=start, end=end, now=now)


def close_previous_periods(*, now: dt.datetime | None = None) -> list[ClosingRun]:
    """The beat's job: close last month (and last year, in January). Safe to run any day, again."""
    today = timezone.localtime(now or timezone.now()).date()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    runs = [close_month(year=last_month.year, month=last_month.month, now=now)]
    if today.month == 1:
        runs.append(close_year(year=today.year - 1, now=now))
    return runs


def _check_over(period: str, end: dt.datetime, now: dt.datetime | None) -> None:
    if end > (now or timezone.now()):
        raise PeriodNotOver(detail={"period": period, "ends_at": end.isoformat()})


def _close(
    *, kind: str, period: str, start: dt.datetime, end: dt.datetime, now: dt.datetime | None
) -> ClosingRun:
    _check_over(period, end, now)
    run = ClosingRun(period=period)
    register_ids = (
        JournalEntry.objects.filter(created_at__lt=end).values_list("register_id", flat=True).distinct()
    )
    for register in Register.objects.filter(pk__in=register_ids).order_by("code"):
        entry, created = _close_register(register=register, kind=kind, period=period, start=start, end=end)
        (run.created if created else run.already_closed).append(entry)
    return run


@transaction.atomic
def _close_register(
    *, register: Register, kind: str, period: str, start: dt.datetime, end: dt.datetime
) -> tuple[JournalEntry, bool]:
    journal.lock_heads(register.pk, [Journal.CLOSINGS])  # the check and the append under one lock
    existing = JournalEntry.objects.filter(register=register, kind=kind, period=period).first()
    if existing is not None:
        return existing, False
    sales = JournalEntry.objects.filter(register=register, journal=Journal.SALES)
    before = (
        sales.filter(created_at__lt=start, grand_total_perpetual__isnull=False)
        .order_by("-sequence")
        .values_list("grand_total_perpetual", "grand_total_perpetual_abs")
        .first()
    )
    start_totals = (before[0] or ZERO, before[1] or ZERO) if before else (ZERO, ZERO)
    totals = journal.totals_of(sales.filter(created_at__gte=start, created_at__lt=end), start=start_totals)
    payload: dict[str, object] = {"register": register.code, "period": period, "from": start, "to": end}
    if kind == EntryKind.YEAR:
        payload["months"] = dict(
            JournalEntry.objects.filter(
                register=register, kind=EntryKind.MONTH, period__startswith=f"{period}-"
            )
            .order_by("period")
            .values_list("period", "hash")
        )
    entry = journal.append_period_closing(
        register_id=register.pk, kind=kind, period=period, totals=totals, payload=payload
    )
    return entry, True
