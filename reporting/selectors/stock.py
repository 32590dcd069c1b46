"""The stock report: what the stock is worth, how long it lasts, what does not sell, what ran out
while it was selling, and what one location could send another. Read on ``read_alias()``, in a
handful of SQL aggregates whatever the number of variants (no query per variant or location).

Definitions (``StockParams`` holds the knobs; the API and the page take them from the query string):

- **Stock value**: on hand x ``Variant.cost_price_ht`` (EUR HT), per location; the units whose variant
  has no cost are counted apart (``units_without_cost``), never valued at zero silently.
- **Daily rate**: units sold (``SalesFact`` of kind ``sale``, gross: returns do not lower demand) at the
  location over the ``window`` days ending today, divided by ``window`` (default 28). Per location it is
  read from ``SalesDay``; the variants sold in a long window from the cube (``reporting.cube``).
- **Cover (days)**: available (on hand - reserved) / daily rate; no sale in the window: no cover (None).
- **Rotation** over the period: units sold in the period / average stock. There is no stock history
  table, so the average stock is approximated by the current on hand (said on the page).
- **Dead stock**: a variant with stock at a location and no sale there for ``dead_days`` days (90).
- **Stock-outs that cost sales**: levels at zero available now whose variant had sold there before.
  The day the level reached zero is the day of its last ledger row (``StockMovement``: the last change
  of a level at zero available is the one that emptied it; the index (variant, location, created_at)
  makes it one lookup per empty level). Lost units = days at zero inside the period (from the day
  after the one it ran out, to today) x the daily rate over the ``window`` days ending the day it ran
  out. A stock-out that was refilled before today is not seen: the estimate is a floor.
- **Transfer suggestions**: for one variant, a location with more than ``over_days`` of cover (or stock
  and no sale in the window) gives to a location with less than ``under_days`` of cover (and demand);
  the giver keeps ``over_days`` of its own demand, the receiver gets up to ``window`` days of its
  demand. Givers are shared out greedily, the most urgent receivers first.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import cube
from ..access import Scope
from ..db import fetch_rows, on_postgresql, read_alias
from ..periods import Period, parse_period
from ..tables import Column, Table
from .params import BadParameter, int_param

ZERO = Decimal("0")
CENT = Decimal("0.01")
ROW_LIMIT = 200  # the long tables (dead stock, stock-outs, suggestions) show the worst rows first


@dataclass(frozen=True)
class StockParams:
    window: int = 28  # days of sales the daily rate is measured on
    dead_days: int = 90
    over_days: int = 90
    under_days: int = 14


@dataclass
class StockReport:
    by_location: Table
    dead: Table
    stockouts: Table
    transfers: Table
    rotation_note: str
    params: StockParams
    today: dt.date
    computed_at: dt.datetime

    def tables(self) -> dict[str, Table]:
        return {
            "locations": self.by_location,
            "dead": self.dead,
            "stockouts": self.stockouts,
            "transfers": self.transfers,
        }


def stock_params(params: Mapping[str, str]) -> StockParams:
    """The knobs from the query string (``BadParameter`` naming the field when out of range)."""
    parsed = StockParams(
        window=int_param(params, "window", 28, 1, 365),
        dead_days=int_param(params, "dead_days", 90, 1, 730),
        over_days=int_param(params, "over_days", 90, 1, 730),
        under_days=int_param(params, "under_days", 14, 1, 365),
    )
    if parsed.under_days >= parsed.over_days:
        raise BadParameter(detail={"under_days": [str(_("Must be below over_days."))]})
    return parsed


def _rows(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return fetch_rows(sql, params)


def _scope_sql(scope: Scope, column: str) -> str:
    return "" if scope.chain else f" AND {column} = %(location)s"


def _cover(available: int, rate: float) -> Decimal | None:
    return Decimal(available / rate).quantize(Decimal("0.1")) if rate > 0 else None


def stock_report(
    *, scope: Scope, period: Period, params: StockParams, today: dt.date | None = None, refresh: bool = False
) -> StockReport:
    """The report, computed at most every ``REPORTING_STOCK_CACHE_SECONDS`` per scope, period and
    parameters (``computed_at`` says when): it reads every stock level of the scope against the
    sales, about 1.5 s for 125,000 levels and a million order lines; stock cover, dead stock and
    transfer suggestions do not change meaningfully in five minutes. ``refresh``: computed again
    and cached whatever the cache holds (``warm_stock_reports``)."""
    today = today or timezone.localdate()
    seconds = settings.REPORTING_STOCK_CACHE_SECONDS
    knobs = ":".join(str(value) for value in vars(params).values())
    key = f"reporting:stock:{scope.location_id}:{period.start}:{period.end}:{today}:{knobs}"
    if seconds and not refresh:
        cached = cache.get(key)
        if cached is not None:
            return cast(StockReport, cached)
    report = _report(scope=scope, period=period, params=params, today=today)
    if seconds:
        cache.set(key, report, seconds)
    return report


def warm_stock_reports() -> int:
    """Compute again the report every manager and store manager opens first (the default period and
    knobs, the chain and each active location) and cache it: run by beat more often than
    ``REPORTING_STOCK_CACHE_SECONDS``, so no one waits the 1.5 s of a cold report for the page as it
    opens; other periods or knobs are computed on demand. Returns how many were computed."""
    from inventory.models import Location

    if not settings.REPORTING_STOCK_CACHE_SECONDS:
        return 0
    period, params = parse_period({}), stock_params({})
    stores = Location.objects.using(read_alias()).filter(is_active=True).order_by("pk")
    scopes = [Scope(), *(Scope(location_id=pk) for pk in stores.values_list("pk", flat=True))]
    for scope in scopes:
        stock_report(scope=scope, period=period, params=params, refresh=True)
    return len(scopes)


def _report(*, scope: Scope, period: Period, params: StockParams, today: dt.date) -> StockReport:
    args: dict[str, Any] = {
        "location": scope.location_id,
        "since": today - dt.timedelta(days=params.window - 1),
        "today": today,
        "start": period.start,
        "end": period.end,
        "dead_since": today - dt.timedelta(days=params.dead_days - 1),
        "window": params.window,
    }
    return StockReport(
        by_location=_by_location(scope, args),
        dead=_dead(scope, args),
        stockouts=_stockouts(scope, args, period, today, params),
        transfers=_transfers(scope, args, params),
        rotation_note=str(
            _(
                "Rotation = units sold in the period / average stock; with no stock history, the average "
                "stock is approximated by today's on hand."
            )
        ),
        params=params,
        today=today,
        computed_at=timezone.now(),
    )


LOCATION_SQL = """
WITH levels AS (
    SELECT l.location_id,
           SUM(l.on_hand) AS on_hand,
           SUM(l.on_hand - l.reserved) AS available,
           COUNT(*) FILTER (WHERE l.on_hand > 0) AS variants,
           SUM(l.on_hand * v.cost_price_ht) FILTER (WHERE v.cost_price_ht IS NOT NULL) AS value,
           COALESCE(SUM(l.on_hand) FILTER (WHERE v.cost_price_ht IS NULL), 0) AS no_cost
    FROM inventory_stocklevel l JOIN catalog_variant v ON v.id = l.variant_id
    WHERE TRUE {scope_levels}
    GROUP BY l.location_id
), window_sales AS (
    SELECT location_id, SUM(units_sold) AS units FROM reporting_salesday
    WHERE day BETWEEN %(since)s AND %(today)s AND location_id IS NOT NULL {scope_facts}
    GROUP BY location_id
), period_sales AS (
    SELECT location_id, SUM(units_sold) AS units FROM reporting_salesday
    WHERE day BETWEEN %(start)s AND %(end)s AND location_id IS NOT NULL {scope_facts}
    GROUP BY location_id
)
SELECT loc.id, loc.name, loc.code,
       COALESCE(lv.on_hand, 0) AS on_hand, COALESCE(lv.available, 0) AS available,
       COALESCE(lv.variants, 0) AS variants, COALESCE(lv.value, 0) AS value,
       COALESCE(lv.no_cost, 0) AS no_cost,
       COALESCE(ws.units, 0) AS window_units, COALESCE(ps.units, 0) AS period_units
FROM inventory_location loc
LEFT JOIN levels lv ON lv.location_id = loc.id
LEFT JOIN window_sales ws ON ws.location_id = loc.id
LEFT JOIN period_sales ps ON ps.location_id = loc.id
WHERE (lv.location_id IS NOT NULL OR ws.location_id IS NOT NULL OR ps.location_id IS NOT NULL)
  {scope_loc}
ORDER BY loc.kind, loc.name
"""


def _by_location(scope: Scope, args: dict[str, Any]) -> Table:
    sql = LOCATION_SQL.format(
        scope_levels=_scope_sql(scope, "l.location_id"),
        scope_facts=_scope_sql(scope, "location_id"),
        scope_loc=_scope_sql(scope, "loc.id"),
    )
    table = Table(
        title=str(_("Stock by location")),
        columns=[
            Column("location", str(_("Location"))),
            Column("on_hand", str(_("On hand")), "int"),
            Column("variants", str(_("Variants in stock")), "int"),
            Column("value", str(_("Value at cost (HT)")), "money"),
            Column("no_cost", str(_("Units without cost")), "int"),
            Column("window_units", str(_("Sold (window)")), "int"),
            Column("daily_rate", str(_("Units / day")), "decimal"),
            Column("cover_days", str(_("Cover (days)")), "decimal"),
            Column("period_units", str(_("Sold (period)")), "int"),
            Column("rotation", str(_("Rotation")), "decimal"),
        ],
    )
    window = args["window"]
    totals = {
        "on_hand": 0,
        "available": 0,
        "variants": 0,
        "value": ZERO,
        "no_cost": 0,
        "window_units": 0,
        "period_units": 0,
    }
    for row in _rows(sql, args):
        table.rows.append(_location_row(row, row["name"], window))
        for key in totals:
            totals[key] += row[key]
    if len(table.rows) > 1:
        table.total = _location_row(totals, str(_("Total")), window)
    return table


def _location_row(row: dict[str, Any], label: str, window: int) -> dict[str, Any]:
    rate = row["window_units"] / window
    return {
        "location": label,
        "on_hand": row["on_hand"],
        "variants": row["variants"],
        "value": Decimal(row["value"]).quantize(CENT),
        "no_cost": row["no_cost"],
        "window_units": row["window_units"],
        "daily_rate": Decimal(rate).quantize(CENT),
        "cover_days": _cover(row["available"], rate),
        "period_units": row["period_units"],
        "rotation": Decimal(row["period_units"] / row["on_hand"]).quantize(CENT) if row["on_hand"] else None,
    }


DEAD_SQL = """
WITH sold AS ({sold}), dead AS (
    SELECT l.variant_id, l.location_id, l.on_hand, l.on_hand * v.cost_price_ht AS value
    FROM inventory_stocklevel l JOIN catalog_variant v ON v.id = l.variant_id
    WHERE l.on_hand > 0 {scope_levels}
      AND NOT EXISTS (SELECT 1 FROM sold s
                      WHERE s.variant_id = l.variant_id AND s.location_id = l.location_id)
)
SELECT top.*, v.sku, p.name AS product, loc.name AS location,
       (SELECT MAX(f.day) FROM reporting_salesfact f
        WHERE f.variant_id = top.variant_id AND f.location_id = top.location_id
          AND f.kind = 'sale') AS last_sale
FROM (
    SELECT d.*, COUNT(*) OVER () AS lines, SUM(d.on_hand) OVER () AS units,
           SUM(d.value) OVER () AS total_value
    FROM dead d ORDER BY d.value DESC NULLS LAST, d.on_hand DESC, d.variant_id LIMIT %(limit)s
) top
JOIN catalog_variant v ON v.id = top.variant_id
JOIN catalog_product p ON p.id = v.product_id
JOIN inventory_location loc ON loc.id = top.location_id
ORDER BY top.value DESC NULLS LAST, top.on_hand DESC, top.variant_id
"""


def _dead(scope: Scope, args: dict[str, Any]) -> Table:
    sold, params = cube.sold_pairs(args["dead_since"], args["today"], location_id=scope.location_id)
    sql = DEAD_SQL.format(sold=sold, scope_levels=_scope_sql(scope, "l.location_id"))
    rows = _rows(sql, {**args, **params, "limit": ROW_LIMIT})
    table = Table(
        title=str(
            _("Dead stock (no sale in %(days)s days)")
            % {"days": (args["today"] - args["dead_since"]).days + 1}
        ),
        columns=[
            Column("sku", str(_("SKU"))),
            Column("product", str(_("Product"))),
            Column("location", str(_("Location"))),
            Column("on_hand", str(_("On hand")), "int"),
            Column("value", str(_("Value at cost (HT)")), "money"),
            Column("last_sale", str(_("Last sale")), "date"),
        ],
        rows=[
            {key: row[key] for key in ("sku", "product", "location", "on_hand", "value", "last_sale")}
            for row in rows
        ],
    )
    if rows:
        table.total = {
            "sku": str(_("Total: %(n)s lines") % {"n": rows[0]["lines"]}),
            "on_hand": rows[0]["units"],
            "value": rows[0]["total_value"] or ZERO,
        }
    return table


STOCKOUT_SQL = """
WITH dated AS MATERIALIZED (
    SELECT l.variant_id, l.location_id, (last.at AT TIME ZONE %(tz)s)::date AS since_day
    FROM inventory_stocklevel l
    CROSS JOIN LATERAL (
        SELECT m.created_at AS at FROM inventory_stockmovement m
        WHERE m.variant_id = l.variant_id AND m.location_id = l.location_id
        ORDER BY m.created_at DESC LIMIT 1
    ) last
    WHERE l.on_hand - l.reserved <= 0 {scope_levels}
), open AS MATERIALIZED (
    SELECT * FROM dated WHERE since_day <= %(end)s
), prior AS (
    SELECT d.variant_id, d.location_id, d.since_day, SUM(f.units) AS units
    FROM open d JOIN reporting_salesfact f
      ON f.variant_id = d.variant_id AND f.location_id = d.location_id AND f.kind = 'sale'
     AND f.day > d.since_day - %(window)s AND f.day <= d.since_day
    WHERE f.day > (SELECT MIN(since_day) FROM open) - %(window)s AND f.day <= %(end)s
    GROUP BY d.variant_id, d.location_id, d.since_day
    HAVING SUM(f.units) > 0
)
SELECT pr.*, v.sku, p.name AS product, loc.name AS location
FROM prior pr
JOIN catalog_variant v ON v.id = pr.variant_id
JOIN catalog_product p ON p.id = v.product_id
JOIN inventory_location loc ON loc.id = pr.location_id
"""


def _stockouts(
    scope: Scope, args: dict[str, Any], period: Period, today: dt.date, params: StockParams
) -> Table:
    if not on_postgresql():  # the ledger lookup is PostgreSQL SQL (LATERAL, time zones): the demo's SQLite
        return Table(title=str(_("Stock-outs that cost sales: on PostgreSQL only")), columns=[])
    sql = STOCKOUT_SQL.format(scope_levels=_scope_sql(scope, "l.location_id"))
    out = []
    last = min(period.end, today)
    for row in _rows(sql, {**args, "tz": timezone.get_current_timezone_name()}):
        # at zero from the day after the emptying movement (that day still sold) to today
        first = max(row["since_day"] + dt.timedelta(days=1), period.start)
        days = max(0, (last - first).days + 1)
        if not days:
            continue
        rate = row["units"] / params.window
        out.append(
            {
                "sku": row["sku"],
                "product": row["product"],
                "location": row["location"],
                "since": row["since_day"],
                "days": days,
                "daily_rate": Decimal(rate).quantize(CENT),
                "lost_units": Decimal(days * rate).quantize(Decimal("0.1")),
            }
        )
    out.sort(key=lambda r: (-r["lost_units"], r["sku"]))
    table = Table(
        title=str(_("Stock-outs that cost sales (estimate)")),
        columns=[
            Column("sku", str(_("SKU"))),
            Column("product", str(_("Product"))),
            Column("location", str(_("Location"))),
            Column("since", str(_("Empty since")), "date"),
            Column("days", str(_("Days at zero in the period")), "int"),
            Column("daily_rate", str(_("Units / day before")), "decimal"),
            Column("lost_units", str(_("Lost units (est.)")), "decimal"),
        ],
        rows=out[:ROW_LIMIT],
    )
    if out:
        table.total = {
            "sku": str(_("Total")),
            "days": sum(r["days"] for r in out),
            "lost_units": sum((r["lost_units"] for r in out), ZERO),
        }
    return table


TRANSFER_SQL = """
WITH rates AS (
    SELECT variant_id, location_id, SUM(units) AS units FROM reporting_salesfact
    WHERE kind = 'sale' AND day BETWEEN %(since)s AND %(today)s AND variant_id IS NOT NULL
      AND location_id IS NOT NULL
    GROUP BY variant_id, location_id
), levels AS (
    SELECT l.variant_id, l.location_id, l.on_hand - l.reserved AS available, COALESCE(r.units, 0) AS units
    FROM inventory_stocklevel l
    JOIN inventory_location loc ON loc.id = l.location_id AND loc.is_active
    LEFT JOIN rates r ON r.variant_id = l.variant_id AND r.location_id = l.location_id
), givers AS (
    SELECT * FROM levels
    WHERE (available - 1) * %(window)s >= units * %(over)s  -- available > ceil(units * over / window)
), takers AS (
    SELECT * FROM levels
    WHERE units > 0 AND available * %(window)s < units * %(under)s
)
SELECT 'give' AS side, g.* FROM givers g WHERE EXISTS (
    SELECT 1 FROM takers t WHERE t.variant_id = g.variant_id AND t.location_id <> g.location_id {scope_t})
UNION ALL
SELECT 'take' AS side, t.* FROM takers t WHERE EXISTS (
    SELECT 1 FROM givers g WHERE g.variant_id = t.variant_id AND g.location_id <> t.location_id {scope_g})
"""


def _transfers(scope: Scope, args: dict[str, Any], params: StockParams) -> Table:
    # a store manager sees the suggestions that involve their store, in either direction
    sql = TRANSFER_SQL.format(
        scope_t="" if scope.chain else "AND (t.location_id = %(location)s OR g.location_id = %(location)s)",
        scope_g="" if scope.chain else "AND (t.location_id = %(location)s OR g.location_id = %(location)s)",
    )
    window = params.window
    givers: dict[int, list[dict[str, Any]]] = {}
    takers: list[dict[str, Any]] = []
    for row in _rows(sql, {**args, "over": params.over_days, "under": params.under_days}):
        if row["side"] == "give":
            row["spare"] = row["available"] - math.ceil(row["units"] * params.over_days / window)
            givers.setdefault(row["variant_id"], []).append(row)
        else:
            row["need"] = math.ceil(row["units"]) - max(row["available"], 0)  # window days of demand
            takers.append(row)
    takers.sort(key=lambda t: (t["available"] / t["units"], -t["units"]))  # least cover first
    suggestions = []
    for taker in takers:
        for giver in sorted(givers.get(taker["variant_id"], []), key=lambda g: -g["spare"]):
            if taker["need"] <= 0:
                break
            if giver["location_id"] == taker["location_id"] or giver["spare"] <= 0:
                continue
            if not scope.chain and scope.location_id not in (giver["location_id"], taker["location_id"]):
                continue
            quantity = min(giver["spare"], taker["need"])
            giver["spare"] -= quantity
            taker["need"] -= quantity
            suggestions.append((giver, taker, quantity))
    names, skus = _names(
        {g["location_id"] for g, _t, _q in suggestions} | {t["location_id"] for _g, t, _q in suggestions},
        {t["variant_id"] for _g, t, _q in suggestions},
    )
    rows = []
    for giver, taker, quantity in suggestions[:ROW_LIMIT]:
        rows.append(
            {
                "sku": skus[taker["variant_id"]][0],
                "product": skus[taker["variant_id"]][1],
                "from": names[giver["location_id"]],
                "from_cover": _cover(giver["available"], giver["units"] / window),
                "to": names[taker["location_id"]],
                "to_cover": _cover(taker["available"], taker["units"] / window),
                "quantity": quantity,
            }
        )
    table = Table(
        title=str(_("Transfer suggestions")),
        columns=[
            Column("sku", str(_("SKU"))),
            Column("product", str(_("Product"))),
            Column("from", str(_("From"))),
            Column("from_cover", str(_("Cover there (days)")), "decimal"),
            Column("to", str(_("To"))),
            Column("to_cover", str(_("Cover here (days)")), "decimal"),
            Column("quantity", str(_("Units to send")), "int"),
        ],
        rows=rows,
    )
    if rows:
        table.total = {"sku": str(_("Total")), "quantity": sum(q for _g, _t, q in suggestions)}
    return table


def _names(
    location_ids: set[int], variant_ids: set[int]
) -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
    from catalog.models import Variant
    from inventory.models import Location

    if not location_ids:
        return {}, {}
    alias = read_alias()
    names = dict(Location.objects.using(alias).filter(pk__in=location_ids).values_list("pk", "name"))
    skus = {
        pk: (sku, name)
        for pk, sku, name in Variant.objects.using(alias)
        .filter(pk__in=variant_ids)
        .values_list("pk", "sku", "product__name")
    }
    return names, skus
