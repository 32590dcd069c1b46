"""The period a report covers, from the query string, and the two it is compared with.

``period`` is ``today``, ``yesterday``, ``week`` (this ISO week so far), ``month``, ``year`` (so
far) or ``custom`` with ``date_from`` and ``date_to`` (ISO dates, both included). Days are local
(``TIME_ZONE``): a period across a daylight-saving change is still whole days. A bad date, a range
backwards or longer than ``MAX_YEARS`` is ``BadPeriod`` (400, naming the field).

``previous()`` is the period of the same length just before; ``last_year()`` the same dates one year
earlier (29 February becomes the 28th).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed

MAX_YEARS = 5
PERIODS = ("today", "yesterday", "week", "month", "year", "custom")
PERIOD_CHOICES = [
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("week", _("This week")),
    ("month", _("This month")),
    ("year", _("This year")),
    ("custom", _("Dates below")),
]


class BadPeriod(ValidationFailed):
    code = "bad_period"
    default_message = "The period is not valid."


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included
    name: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        length = dt.timedelta(days=self.days)
        return Period(self.start - length, self.end - length, "previous")

    def last_year(self) -> Period:
        return Period(_year_before(self.start), _year_before(self.end), "last_year")

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def query(self) -> str:
        """The query string that gives this period back (links, exports)."""
        if self.name in PERIODS and self.name != "custom":
            return f"period={self.name}"
        return f"period=custom&date_from={self.start.isoformat()}&date_to={self.end.isoformat()}"


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def parse_period(
    params: Mapping[str, str], *, today: dt.date | None = None, default: str = "month"
) -> Period:
    """The period the query string asks for; ``date_from``/``date_to`` alone mean ``custom``."""
    today = today or timezone.localdate()
    name = params.get("period") or ("custom" if params.get("date_from") or params.get("date_to") else default)
    if name == "today":
        return Period(today, today, name)
    if name == "yesterday":
        day = today - dt.timedelta(days=1)
        return Period(day, day, name)
    if name == "week":
        return Period(today - dt.timedelta(days=today.weekday()), today, name)
    if name == "month":
        return Period(today.replace(day=1), today, name)
    if name == "year":
        return Period(today.replace(month=1, day=1), today, name)
    if name != "custom":
        raise BadPeriod(detail={"period": [_("One of: %(names)s.") % {"names": ", ".join(PERIODS)}]})
    errors: dict[str, list[str]] = {}
    start = _date(params, "date_from", errors)
    end = _date(params, "date_to", errors)
    if start and end and start > end:
        errors["date_to"] = [str(_("The end is before the start."))]
    if start and end and end > _years_after(start, MAX_YEARS):
        errors["date_to"] = [str(_("At most %(years)s years at once.") % {"years": MAX_YEARS})]
    if errors or start is None or end is None:
        raise BadPeriod(detail=errors)
    return Period(start, end, "custom")


def _date(params: Mapping[str, str], name: str, errors: dict[str, list[str]]) -> dt.date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        errors[name] = [str(_("A date is required (YYYY-MM-DD)."))]
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = [str(_("Not a date: %(value)s (YYYY-MM-DD).") % {"value": raw[:40]})]
        return None


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
