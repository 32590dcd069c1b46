"""The customers and loyalty report: who bought in the period (new or returning), how often they come
back (cohorts), what each loyalty tier weighs, and the points the chain owes. Read on
``read_alias()`` in a few SQL aggregates (no query per customer).

Definitions:

- **Customer** = ``SalesFact.customer_id`` (an identified sale, web or till); sales without one are
  *anonymous* and counted apart (orders, revenue), never as customers. Read from ``CustomerDay`` (a
  customer's facts per day and location, ``reporting.cube``); the anonymous figures are the rest of
  ``SalesDay``.
- A customer **bought in the period** when one of their orders was sold in it (a fact of kind ``sale``).
  Revenue is net (``revenue_ttc`` of every fact of the period: returns and cancellations lower it).
- **New**: their first purchase ever falls in the period; **returning**: they had bought before it.
  A store manager sees their store's facts only, so there "first purchase" means first at the store.
- **Repeat rate**: customers with two orders or more in the period / customers of the period.
- **Cohorts**: customers by the month of their first purchase (the period's months, at most
  ``MAX_COHORTS``); the value in column *+k* is the share of the cohort that bought in the k-th
  month after (months to come are empty).
- **Tiers**: the customer's current tier (``LoyaltyAccount.tier``), none when they have no tier.
- **Points** (chain-wide, managers only): the ledger (``PointsEntry``) of the period per kind, and the
  points outstanding today (sum of the balances) valued as vouchers: points x
  ``LOYALTY_REWARD_EUR`` / ``LOYALTY_REWARD_POINTS`` (linear: a balance below one voucher still counts
  for its share).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import cube
from ..access import Scope
from ..db import fetch_rows, month_start, read_alias
from ..models import SalesDay
from ..periods import Period
from ..tables import Column, Table

ZERO = Decimal("0")
CENT = Decimal("0.01")
MAX_COHORTS = 24
COHORT_MONTHS = 12  # columns +1 ... +12


@dataclass
class CustomersReport:
    summary: dict[str, Any]
    groups: Table
    cohorts: Table
    tiers: Table
    points: Table | None  # None for a store manager: the points are chain-wide
    loyalty: dict[str, Any] | None  # ``loyalty_points``; None for a store manager

    def tables(self) -> dict[str, Table]:
        tables = {"groups": self.groups, "cohorts": self.cohorts, "tiers": self.tiers}
        if self.points is not None:
            tables["points"] = self.points
        return tables


def _rows(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return fetch_rows(sql, params)


def _scope(scope: Scope, alias: str) -> str:
    return "" if scope.chain else f" AND {alias}.location_key = %(location)s"


def _share(part: Any, whole: Any) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def customers_report(*, scope: Scope, period: Period, today: dt.date | None = None) -> CustomersReport:
    scope.require_all_shops()  # ``CustomerDay`` has no shop: a shop's staff would read every shop's
    today = today or timezone.localdate()
    args = {"start": period.start, "end": period.end, "location": scope.location_id}
    grouped = _grouped(scope, args)
    summary, groups = _groups(grouped)
    loyalty = loyalty_points(period) if scope.chain else None
    return CustomersReport(
        summary=summary,
        groups=groups,
        cohorts=_cohorts(scope, period, today),
        tiers=_tiers(grouped),
        points=_points(loyalty) if loyalty is not None else None,
        loyalty=loyalty,
    )


# --- new, returning, anonymous ---------------------------------------------------------------

PER_CUSTOMER = """
    SELECT c.customer_id, SUM(c.orders) AS orders, SUM(c.revenue_ttc) AS revenue
    FROM reporting_customerday c
    WHERE c.day BETWEEN %(start)s AND %(end)s {scope_c}
    GROUP BY c.customer_id
"""

GROUPS_SQL = """
WITH per AS MATERIALIZED ({per})
SELECT CASE WHEN cf.first_day < %(start)s THEN 'returning' ELSE 'new' END AS grp,
       COALESCE(t.rank, 0) AS rank,
       COUNT(*) FILTER (WHERE per.orders > 0) AS customers,
       COUNT(*) FILTER (WHERE per.orders > 1) AS repeaters,
       COALESCE(SUM(per.orders), 0) AS orders,
       COALESCE(SUM(per.revenue), 0) AS revenue
FROM per
LEFT JOIN reporting_customerfirst cf ON cf.customer_id = per.customer_id AND cf.location_key = %(first_key)s
LEFT JOIN loyalty_loyaltyaccount a ON a.customer_id = per.customer_id
LEFT JOIN loyalty_tier t ON t.id = a.tier_id
GROUP BY 1, 2
"""

FIGURES = ("customers", "repeaters", "orders", "revenue")


def _split(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    """The (group, tier) rows summed by ``key``."""
    out: dict[Any, dict[str, Any]] = {}
    for row in rows:
        into = out.setdefault(row[key], dict.fromkeys(FIGURES, 0))
        for name in FIGURES:
            into[name] += row[name]
    return out


def _grouped(scope: Scope, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Per (new / returning / anonymous, tier rank): customers, repeaters, orders, revenue. Identified
    customers from ``CustomerDay``; anonymous sales are the rest of ``SalesDay`` (rank -1)."""
    sql = GROUPS_SQL.format(per=PER_CUSTOMER.format(scope_c=_scope(scope, "c")))
    rows = _rows(sql, {**args, "first_key": _first_key(scope)})
    every = scope.filter(
        SalesDay.objects.using(read_alias()).filter(day__gte=args["start"], day__lte=args["end"])
    ).aggregate(
        orders=Sum("orders", default=0),
        identified=Sum("identified_orders", default=0),
        revenue=Sum("revenue_ttc", default=ZERO),
    )
    identified_revenue = sum((Decimal(row["revenue"]) for row in rows), ZERO)
    anonymous = {
        "grp": "anonymous",
        "rank": -1,
        "customers": 0,
        "repeaters": 0,
        "orders": every["orders"] - every["identified"],
        "revenue": every["revenue"] - identified_revenue,
    }
    return [*rows, anonymous] if anonymous["orders"] or anonymous["revenue"] else rows


def _groups(grouped: list[dict[str, Any]]) -> tuple[dict[str, Any], Table]:
    found = _split(grouped, "grp")
    empty = {"customers": 0, "repeaters": 0, "orders": 0, "revenue": ZERO}
    new, returning, anonymous = (found.get(key, empty) for key in ("new", "returning", "anonymous"))
    revenue = new["revenue"] + returning["revenue"] + anonymous["revenue"]
    customers = new["customers"] + returning["customers"]
    labels = {
        "new": _("New customers"),
        "returning": _("Returning customers"),
        "anonymous": _("Anonymous sales"),
    }
    table = Table(
        title=str(_("New and returning customers")),
        columns=[
            Column("group", str(_("Who"))),
            Column("customers", str(_("Customers")), "int"),
            Column("orders", str(_("Orders")), "int"),
            Column("revenue", str(_("Revenue TTC")), "money"),
            Column("revenue_share", str(_("Share of revenue")), "percent"),
            Column("per_customer", str(_("Revenue per customer")), "money"),
        ],
    )
    for key, row in (("new", new), ("returning", returning), ("anonymous", anonymous)):
        table.rows.append(
            {
                "group": str(labels[key]),
                "customers": row["customers"] if key != "anonymous" else None,
                "orders": row["orders"],
                "revenue": row["revenue"],
                "revenue_share": _share(row["revenue"], revenue),
                "per_customer": (row["revenue"] / row["customers"]).quantize(CENT)
                if key != "anonymous" and row["customers"]
                else None,
            }
        )
    table.total = {
        "group": str(_("Total")),
        "customers": customers,
        "orders": new["orders"] + returning["orders"] + anonymous["orders"],
        "revenue": revenue,
    }
    summary = {
        "customers": customers,
        "new": new["customers"],
        "returning": returning["customers"],
        "repeat_rate": _share(new["repeaters"] + returning["repeaters"], customers),
        "anonymous_orders": anonymous["orders"],
        "anonymous_revenue": anonymous["revenue"],
        "identified_share": _share(
            new["orders"] + returning["orders"], new["orders"] + returning["orders"] + anonymous["orders"]
        ),
    }
    return summary, table


# --- cohorts -------------------------------------------------------------------------------------

COHORT_SQL = """
WITH cohort AS MATERIALIZED (
    SELECT cf.customer_id, {first_month} AS month FROM reporting_customerfirst cf
    WHERE cf.location_key = %(first_key)s AND cf.first_day BETWEEN %(cstart)s AND %(end)s
), activity AS (
    SELECT DISTINCT c.month, c.customer_id, {active_month} AS active
    FROM cohort c JOIN reporting_customerday s
      ON s.customer_id = c.customer_id AND s.orders > 0 AND s.day >= c.month {scope_s}
)
SELECT month, active, COUNT(*) AS customers FROM activity GROUP BY month, active
"""


def _first_key(scope: Scope) -> int:
    """Whose first purchase: anywhere (-1, ``reporting.cube.EVERYWHERE``) or at the store."""
    return cube.EVERYWHERE if scope.chain else int(scope.location_id or 0)


def _months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _cohorts(scope: Scope, period: Period, today: dt.date) -> Table:
    first_month = period.start.replace(day=1)
    last_month = period.end.replace(day=1)
    if _months_between(first_month, last_month) >= MAX_COHORTS:
        first_month = _add_months(last_month, -(MAX_COHORTS - 1))
    sql = COHORT_SQL.format(
        scope_s=_scope(scope, "s"),
        first_month=month_start("cf.first_day"),
        active_month=month_start("s.day"),
    )
    counts: dict[dt.date, dict[int, int]] = {}
    params = {
        "cstart": first_month,
        "end": period.end,
        "location": scope.location_id,
        "first_key": _first_key(scope),
    }
    for found in _rows(sql, params):
        months = _months_between(found["month"], found["active"])
        counts.setdefault(found["month"], {})[months] = found["customers"]
    columns = [Column("month", str(_("First purchase")), "text"), Column("size", str(_("Customers")), "int")]
    columns += [Column(f"m{k}", f"+{k}", "percent") for k in range(1, COHORT_MONTHS + 1)]
    table = Table(
        title=str(_("Cohorts - share buying again, by months since the first purchase")), columns=columns
    )
    month = first_month
    while month <= last_month:
        sizes = counts.get(month, {})
        size = sizes.get(0, 0)
        row: dict[str, Any] = {"month": month.strftime("%Y-%m"), "size": size}
        for k in range(1, COHORT_MONTHS + 1):
            if _add_months(month, k) <= today:
                row[f"m{k}"] = _share(sizes.get(k, 0), size)
        table.rows.append(row)
        month = _add_months(month, 1)
    return table


# --- tiers ------------------------------------------------------------------------------------------


def _tiers(grouped: list[dict[str, Any]]) -> Table:
    from loyalty.models import Tier

    found = _split(grouped, "rank")
    total = sum((row["revenue"] for row in found.values()), ZERO)
    labels = [(tier.rank, tier.name) for tier in Tier.objects.using(read_alias()).order_by("-rank")]
    labels += [(0, str(_("No tier"))), (-1, str(_("Anonymous sales")))]
    table = Table(
        title=str(_("Loyalty tiers")),
        columns=[
            Column("tier", str(_("Tier"))),
            Column("customers", str(_("Customers who bought")), "int"),
            Column("orders", str(_("Orders")), "int"),
            Column("revenue", str(_("Revenue TTC")), "money"),
            Column("revenue_share", str(_("Share of revenue")), "percent"),
        ],
    )
    for rank, label in labels:
        row = found.get(rank, {"customers": 0, "orders": 0, "revenue": ZERO})
        table.rows.append(
            {
                "tier": label,
                "customers": row["customers"] if rank >= 0 else None,
                "orders": row["orders"],
                "revenue": row["revenue"],
                "revenue_share": _share(row["revenue"], total),
            }
        )
    return table


# --- points ----------------------------------------------------------------------------------------


def point_value() -> Decimal:
    """What one point is worth in EUR as a voucher."""
    return Decimal(settings.LOYALTY_REWARD_EUR) / Decimal(settings.LOYALTY_REWARD_POINTS)


def loyalty_points(period: Period) -> dict[str, Any]:
    """The ledger of the period per kind (points credited, points debited as a positive number), and
    the points outstanding today with their value: issued, redeemed, outstanding, liability (EUR)."""
    from loyalty.models import EntryKind, LoyaltyAccount, PointsEntry

    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    alias = read_alias()
    found = {
        row["kind"]: (row["credit"] or 0, -(row["debit"] or 0))
        for row in PointsEntry.objects.using(alias)
        .filter(created_at__gte=since, created_at__lt=until)
        .values("kind")
        .annotate(credit=Sum("points", filter=Q(points__gt=0)), debit=Sum("points", filter=Q(points__lt=0)))
        .order_by()
    }
    ledger = {kind: found.get(kind, (0, 0)) for kind in EntryKind.values}
    outstanding = LoyaltyAccount.objects.using(alias).aggregate(s=Sum("balance"))["s"] or 0
    value = point_value()
    return {
        "ledger": ledger,
        "issued": ledger[EntryKind.EARN][0] + ledger[EntryKind.ADJUST][0],
        "redeemed": ledger[EntryKind.REDEEM][1],
        "reversed": ledger[EntryKind.REVERSE][1] - ledger[EntryKind.REVERSE][0],
        "expired": ledger[EntryKind.EXPIRE][1],
        "outstanding": outstanding,
        "point_value_eur": value,
        "liability_eur": (outstanding * value).quantize(CENT),
    }


def _points(figures: dict[str, Any]) -> Table:
    from loyalty.models import EntryKind

    value = figures["point_value_eur"]
    table = Table(
        title=str(_("Loyalty points (every store and the web)")),
        columns=[
            Column("movement", str(_("Points"))),
            Column("credit", str(_("Credited")), "int"),
            Column("debit", str(_("Debited")), "int"),
            Column("net", str(_("Net")), "int"),
            Column("eur", str(_("Value EUR")), "money"),
        ],
    )
    for kind, label in EntryKind.choices:
        credit, debit = figures["ledger"][kind]
        table.rows.append(
            {
                "movement": str(label),
                "credit": credit,
                "debit": debit,
                "net": credit - debit,
                "eur": ((credit - debit) * value).quantize(CENT),
            }
        )
    table.total = {
        "movement": str(_("Outstanding today (liability)")),
        "net": figures["outstanding"],
        "eur": figures["liability_eur"],
    }
    return table
