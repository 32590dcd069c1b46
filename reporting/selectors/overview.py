"""The overview: a period's key figures beside the previous period and the same dates last year.

Everything but the pick-up delay comes from ``SalesDay`` (one row per day x location x channel x shop: a
year of a chain is a few thousand rows), so three small aggregate queries whatever the number of
order lines. The pick-up delay reads the status changes of the click & collect orders collected in
the period (a few hundred a month), in one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Sum

from ..access import Scope
from ..db import read_alias
from ..models import PickupFact, ReportChannel, SalesDay
from ..periods import Period

ZERO = Decimal("0")
SUMMED = ("orders", "identified_orders", "units_sold", "units_cancelled", "units_returned", "sales_ht",
          "sales_ttc", "revenue_ht", "revenue_ttc", "discount_ttc", "cost_ht", "costed_revenue_ht",
          "shipping_ttc", "refunds_ttc")  # fmt: skip


@dataclass(frozen=True)
class Figures:
    """The key figures of one period (money in EUR; rates as fractions, None when undefined)."""

    period: Period
    orders: int
    revenue_ht: Decimal
    revenue_ttc: Decimal
    average_basket: Decimal | None  # TTC sold / orders
    units_per_basket: Decimal | None
    margin_ht: Decimal | None  # over the units that have a cost
    margin_rate: Decimal | None
    returns_rate: Decimal | None  # units returned / units sold
    refunds_ttc: Decimal
    discount_ttc: Decimal
    click_collect_share: Decimal | None  # of the orders
    pickup_hours: Decimal | None  # ready for pickup -> collected, average
    identified_share: Decimal | None  # orders with a known (loyalty) customer
    units_sold: int
    units_returned: int
    shipping_ttc: Decimal

    def as_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "period"}
        data["date_from"], data["date_to"] = self.period.start, self.period.end
        return data


@dataclass(frozen=True)
class Overview:
    current: Figures
    previous: Figures
    last_year: Figures
    days: list[dict[str, Any]]  # per day of the period: revenue_ttc, orders, and last year's revenue

    def change(self, name: str, against: str = "previous") -> Decimal | None:
        """The relative change of a figure against the previous period (or ``last_year``)."""
        now, then = getattr(self.current, name), getattr(getattr(self, against), name)
        if now is None or then in (None, 0):
            return None
        return (Decimal(now) - Decimal(then)) / abs(Decimal(then))


def _ratio(part: Any, whole: Any, places: str = "0.0001") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places))


def _days(period: Period, scope: Scope) -> Any:
    rows = SalesDay.objects.using(read_alias()).filter(day__gte=period.start, day__lte=period.end)
    return scope.filter(rows)


def figures(period: Period, scope: Scope) -> Figures:
    rows = _days(period, scope)
    sums = rows.aggregate(**{f"s_{name}": Sum(name) for name in SUMMED})
    total = {name: sums[f"s_{name}"] or 0 for name in SUMMED}
    click_collect = rows.filter(channel=ReportChannel.CLICK_COLLECT).aggregate(n=Sum("orders"))["n"] or 0
    orders = int(total["orders"])
    margin = (
        (Decimal(total["costed_revenue_ht"]) - Decimal(total["cost_ht"]))
        if total["costed_revenue_ht"]
        else None
    )
    return Figures(
        period=period,
        orders=orders,
        revenue_ht=Decimal(total["revenue_ht"]),
        revenue_ttc=Decimal(total["revenue_ttc"]),
        average_basket=_ratio(total["sales_ttc"], orders, "0.01"),
        units_per_basket=_ratio(total["units_sold"], orders, "0.01"),
        margin_ht=margin,
        margin_rate=_ratio(margin, total["costed_revenue_ht"]) if margin is not None else None,
        returns_rate=_ratio(total["units_returned"], total["units_sold"]),
        refunds_ttc=Decimal(total["refunds_ttc"]),
        discount_ttc=Decimal(total["discount_ttc"]),
        click_collect_share=_ratio(click_collect, orders),
        pickup_hours=pickup_hours(period, scope),
        identified_share=_ratio(total["identified_orders"], orders),
        units_sold=int(total["units_sold"]),
        units_returned=int(total["units_returned"]),
        shipping_ttc=Decimal(total["shipping_ttc"]),
    )


def pickup_hours(period: Period, scope: Scope) -> Decimal | None:
    """Average hours from "ready for pickup" to "collected" of the click & collect orders collected in
    the period (at the scope's store), from ``PickupFact``."""
    pickups = PickupFact.objects.using(read_alias()).filter(day__gte=period.start, day__lte=period.end)
    average = scope.filter(pickups).aggregate(wait=Avg("seconds"))["wait"]
    if average is None:
        return None
    return (Decimal(average) / 3600).quantize(Decimal("0.1"))


def daily(period: Period, scope: Scope) -> list[dict[str, Any]]:
    """Per day of the period: revenue TTC and orders, and the same weekday-aligned date last year."""

    def by_day(p: Period) -> dict[dt.date, dict[str, Any]]:
        rows = _days(p, scope).values("day").annotate(revenue_ttc=Sum("revenue_ttc"), orders=Sum("orders"))
        return {row["day"]: row for row in rows}

    now, before = by_day(period), by_day(period.last_year())
    last_year = period.last_year()
    result = []
    for i, day in enumerate(period.dates()):
        then = last_year.start + dt.timedelta(days=i)
        result.append({
            "day": day,
            "revenue_ttc": now.get(day, {}).get("revenue_ttc") or ZERO,
            "orders": now.get(day, {}).get("orders") or 0,
            "last_year_revenue_ttc": before.get(then, {}).get("revenue_ttc") or ZERO,
        })  # fmt: skip
    return result


def overview(period: Period, scope: Scope) -> Overview:
    return Overview(
        current=figures(period, scope),
        previous=figures(period.previous(), scope),
        last_year=figures(period.last_year(), scope),
        days=daily(period, scope) if period.days <= 366 else [],
    )
