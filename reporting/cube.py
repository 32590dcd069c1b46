"""The roll-ups the breakdowns and the customers report read: ``SalesCube`` and ``CustomerDay``.

A breakdown over a year grouped the year's facts (half a million rows at a million order lines, with a
``COUNT(DISTINCT order)``) on every page view. The cube keeps the facts summed per calendar **year**,
**month** and **week** x location x channel x value of a breakdown (a category and each of its
parents, a product, a variant, a cashier, a coupon, a weekday-hour slot), and again over every location
and channel together (``location_key`` -1: what the chain's breakdowns read, a fifth of the rows). A
period reads its whole years, months and weeks from the cube and only the few days around them from
the facts (``split``, ``breakdown``); a year it covers for the most part ("this year") is its year row
less the days it leaves out, so a year-to-date breakdown reads one row per product, not twelve.
``CustomerDay`` keeps an identified customer's facts per day and location (about one row per order,
a fifth of the facts' width), which is what new / returning, repeat rate and cohorts need.

**One definition, twice, checked against each other.** ``refresh_orders`` changes the roll-ups by the
difference between an order's old and new facts (``apply_change``: summed in Python, ``cube_of``),
in the transaction that writes the facts, as additive upserts in a fixed key order: two refreshes of
different orders never wait on each other for long and never deadlock, and the cube always equals
the committed facts. ``rebuild`` writes them in SQL from the facts (``CUBE_SQL``); ``check`` compares
that SQL with the stored rows. Orders add up (and subtract) across pieces because an order is sold at
one moment.

**Shops.** Every row carries a ``shop_key``: the shop of its facts (0: the stores' till sales). A
location's rows are per shop; the rows over every location (``location_key`` -1) exist twice: per shop
(what a shop's breakdowns read) and over every shop (``shop_key`` -1: the chain's, as before shops).

A category moved to another parent after its facts were written keeps its old parents in the cube
until ``manage.py rebuild_reports`` (``check_reports`` names the difference).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections

from catalog.models import Category

from .db import fetch_rows, read_alias, typed
from .models import CubeDimension, CubeGrain, CustomerDay, CustomerFirst, FactKind, SalesCube, SalesFact

PRIMARY = "default"
ZERO = Decimal("0")
CENT = Decimal("0.01")
CUBE_TABLE = SalesCube._meta.db_table
CUSTOMER_TABLE = CustomerDay._meta.db_table
FIRST_TABLE = CustomerFirst._meta.db_table
FACT_TABLE = SalesFact._meta.db_table
FIGURES = ("orders", "units", "units_sold", "units_cancelled", "units_returned", "sales_ttc", "revenue_ht",
           "revenue_ttc", "discount_ttc", "cost_ht", "costed_revenue_ht")  # fmt: skip
MONEY = ("sales_ttc", "revenue_ht", "revenue_ttc", "discount_ttc", "cost_ht", "costed_revenue_ht")
EDGE_COLUMNS = ("order_id", "kind", "units", "revenue_ht", "revenue_ttc", "discount_ttc", "cost_ht",
                "category_id", "product_id", "variant_id", "cashier_id", "coupon", "weekday",
                "hour")  # fmt: skip
EVERYWHERE = -1  # the location_key (channel "") of the rows summed over every location and channel
ALL_SHOPS = -1  # the shop_key of the rows summed over every shop (and the stores)
STORES = 0  # the shop_key of the stores' till sales (facts without a shop)
CubeKey = tuple[str, int, int, str, dt.date, str, int, str]  # dimension, location_key, shop_key, grain, ...
CUBE_KEY = ("dimension", "location_key", "shop_key", "grain", "start", "channel", "ref", "code")
CustomerKey = tuple[int, dt.date, int]  # customer, day, location_key


# --- the definition in Python: what an order's facts add ------------------------------------------------


def category_chains(using: str = PRIMARY) -> dict[int, tuple[int, ...]]:
    """Each category with its parents (itself first): a fact of a category counts for each of them."""
    parents = dict(Category.objects.using(using).values_list("pk", "parent_id"))
    chains: dict[int, tuple[int, ...]] = {}
    for pk in parents:
        chain: list[int] = []
        node: int | None = pk
        while node is not None and node not in chain:
            chain.append(node)
            node = parents.get(node)
        chains[pk] = tuple(chain)
    return chains


def _refs(fact: SalesFact, chains: dict[int, tuple[int, ...]]) -> Iterator[tuple[str, int, str]]:
    if fact.category_id is not None:
        for node in chains.get(fact.category_id, (fact.category_id,)):
            yield CubeDimension.CATEGORY, node, ""
    if fact.product_id is not None:
        yield CubeDimension.PRODUCT, fact.product_id, ""
    if fact.variant_id is not None:
        yield CubeDimension.VARIANT, fact.variant_id, ""
    if fact.cashier_id is not None:
        yield CubeDimension.CASHIER, fact.cashier_id, ""
    if fact.coupon:
        yield CubeDimension.COUPON, 0, fact.coupon
    yield CubeDimension.SLOT, fact.weekday * 24 + fact.hour, ""


def _measures(fact: SalesFact) -> list[Any]:
    """The fact's figures in ``FIGURES`` order, orders apart (counted as distinct orders)."""
    sale = fact.kind == FactKind.SALE
    units = fact.units
    return [
        0,
        units,
        units if sale else 0,
        units if fact.kind == FactKind.CANCEL else 0,
        units if fact.kind == FactKind.RETURN else 0,
        fact.revenue_ttc if sale else ZERO,
        fact.revenue_ht,
        fact.revenue_ttc,
        fact.discount_ttc,
        fact.cost_ht if fact.cost_ht is not None else ZERO,
        fact.revenue_ht if fact.cost_ht is not None else ZERO,
    ]


def cube_of(facts: Iterable[SalesFact], chains: dict[int, tuple[int, ...]]) -> dict[CubeKey, list[Any]]:
    """The cube rows these facts make, as ``{key: figures}``."""
    sums: dict[CubeKey, list[Any]] = {}
    sold: dict[CubeKey, set[int]] = {}
    for fact in facts:
        starts = (
            (CubeGrain.YEAR.value, fact.day.replace(month=1, day=1)),
            (CubeGrain.MONTH.value, fact.day.replace(day=1)),
            (CubeGrain.WEEK.value, fact.day - dt.timedelta(days=fact.day.weekday())),
        )
        location = fact.location_id or 0
        shop = fact.shop_id or STORES
        places = [
            (where, shop_key, grain, first, channel)
            for where, shop_key, channel in (
                (location, shop, fact.channel),
                (EVERYWHERE, ALL_SHOPS, ""),
                (EVERYWHERE, shop, ""),
            )
            for grain, first in starts
        ]
        measures = _measures(fact)
        for dimension, ref, code in _refs(fact, chains):
            for place in places:
                key = (str(dimension), *place, ref, code)
                row = sums.get(key)
                if row is None:
                    sums[key] = list(measures)
                    sold[key] = set()
                else:
                    for i in range(1, len(FIGURES)):
                        row[i] += measures[i]
                if fact.kind == FactKind.SALE:
                    sold[key].add(fact.order_id)
    for key, orders in sold.items():
        sums[key][0] = len(orders)
    return sums


def customer_days_of(facts: Iterable[SalesFact]) -> dict[CustomerKey, list[Any]]:
    """The ``CustomerDay`` rows these facts make: ``{key: [orders, revenue_ttc]}``."""
    sums: dict[CustomerKey, list[Any]] = {}
    sold: dict[CustomerKey, set[int]] = {}
    for fact in facts:
        if fact.customer_id is None:
            continue
        key = (fact.customer_id, fact.day, fact.location_id or 0)
        row = sums.setdefault(key, [0, ZERO])
        row[1] += fact.revenue_ttc
        if fact.kind == FactKind.SALE:
            sold.setdefault(key, set()).add(fact.order_id)
    for key, orders in sold.items():
        sums[key][0] = len(orders)
    return sums


def _difference(new: dict[Any, list[Any]], old: dict[Any, list[Any]]) -> dict[Any, list[Any]]:
    change: dict[Any, list[Any]] = {}
    for key in new.keys() | old.keys():
        after, before = new.get(key), old.get(key)
        if before is None:
            values = after
        elif after is None:
            values = [-value for value in before]
        else:
            values = [a - b for a, b in zip(after, before, strict=True)]
        if values and any(values):
            change[key] = values
    return change


def apply_change(old: list[SalesFact], new: list[SalesFact]) -> None:
    """Move the roll-ups from ``old`` facts to ``new`` ones (one refresh of some orders, inside its
    transaction, under the orders' locks): additive upserts in key order, then the rows left at zero
    removed."""
    chains = category_chains() if any(f.category_id for f in (*old, *new)) else {}
    cube = _difference(cube_of(new, chains), cube_of(old, chains))
    customers = _difference(customer_days_of(new), customer_days_of(old))
    touched = sorted({key[0] for key in customers})
    _lock_customers(touched)
    _upsert(CUBE_TABLE, CUBE_KEY, FIGURES, cube)
    _upsert(CUSTOMER_TABLE, ("customer_id", "day", "location_key"), ("orders", "revenue_ttc"), customers)
    _refresh_firsts(touched)


def _lock_customers(customers: list[int]) -> None:
    """Each customer's row anywhere, created if missing, locked in id order: a second refresh touching
    the customer waits, then sees this one's days (its first day is computed from committed rows)."""
    if not customers:
        return
    firsts = CustomerFirst.objects.using(PRIMARY)
    firsts.bulk_create(
        [CustomerFirst(customer_id=pk, location_key=EVERYWHERE) for pk in customers], ignore_conflicts=True
    )
    list(
        firsts.select_for_update()
        .filter(customer_id__in=customers, location_key=EVERYWHERE)
        .order_by("customer_id")
        .values_list("pk", flat=True)
    )


def _refresh_firsts(customers: list[int]) -> None:
    """The locked customers' first days again from their ``CustomerDay`` rows."""
    if not customers:
        return
    marks = ", ".join(["%s"] * len(customers))
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {FIRST_TABLE} WHERE customer_id IN ({marks}) AND location_key <> {EVERYWHERE}",
            customers,
        )
        cursor.execute(
            f"INSERT INTO {FIRST_TABLE} (customer_id, location_key, first_day) "
            f"SELECT customer_id, location_key, MIN(day) FROM {CUSTOMER_TABLE} "
            f"WHERE customer_id IN ({marks}) AND orders > 0 GROUP BY customer_id, location_key",
            customers,
        )
        cursor.execute(
            f"UPDATE {FIRST_TABLE} SET first_day = (SELECT MIN(d.day) FROM {CUSTOMER_TABLE} d "
            f"WHERE d.customer_id = {FIRST_TABLE}.customer_id AND d.orders > 0) "
            f"WHERE customer_id IN ({marks}) AND location_key = {EVERYWHERE}",
            customers,
        )


def _upsert(
    table: str, keys: tuple[str, ...], figures: tuple[str, ...], change: dict[Any, list[Any]]
) -> None:
    if not change:
        return
    columns = (*keys, *figures)
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in figures)
    emptied = " AND ".join(f"{name} = 0" for name in figures)
    ordered = sorted(change.items())
    with connections[PRIMARY].cursor() as cursor:
        for start in range(0, len(ordered), 500):
            batch = ordered[start : start + 500]
            values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
            params = [value for key, figures_ in batch for value in (*key, *figures_)]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates} "
                f"RETURNING id, CASE WHEN {emptied} THEN 1 ELSE 0 END",
                params,
            )
            empty = [pk for pk, is_empty in cursor.fetchall() if is_empty]
            if empty:
                cursor.execute(
                    f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(empty))}) AND {emptied}",
                    empty,
                )


# --- the definition in SQL: rebuild and check -------------------------------------------------------------

AGGREGATES = """
    COUNT(DISTINCT CASE WHEN f.kind = 'sale' THEN f.order_id END) AS orders,
    COALESCE(SUM(f.units), 0) AS units,
    COALESCE(SUM(CASE WHEN f.kind = 'sale' THEN f.units ELSE 0 END), 0) AS units_sold,
    COALESCE(SUM(CASE WHEN f.kind = 'cancel' THEN f.units ELSE 0 END), 0) AS units_cancelled,
    COALESCE(SUM(CASE WHEN f.kind = 'return' THEN f.units ELSE 0 END), 0) AS units_returned,
    COALESCE(SUM(CASE WHEN f.kind = 'sale' THEN f.revenue_ttc ELSE 0 END), 0) AS sales_ttc,
    COALESCE(SUM(f.revenue_ht), 0) AS revenue_ht,
    COALESCE(SUM(f.revenue_ttc), 0) AS revenue_ttc,
    COALESCE(SUM(f.discount_ttc), 0) AS discount_ttc,
    COALESCE(SUM(COALESCE(f.cost_ht, 0)), 0) AS cost_ht,
    COALESCE(SUM(CASE WHEN f.cost_ht IS NOT NULL THEN f.revenue_ht ELSE 0 END), 0) AS costed_revenue_ht
"""


def dimension_sql(dimension: str, chains: dict[int, tuple[int, ...]]) -> tuple[str, str, str, str]:
    """How the facts map to a dimension's values: (join, ref, code, condition) SQL over ``f``."""
    if dimension == CubeDimension.CATEGORY:
        pairs = [(leaf, node) for leaf, chain in sorted(chains.items()) for node in chain]
        if not pairs:
            return "", "f.category_id", "''", "1 = 0"
        mapping = " UNION ALL ".join(
            f"SELECT {int(leaf)} AS leaf, {int(node)} AS node" for leaf, node in pairs
        )
        return f"JOIN ({mapping}) m ON m.leaf = f.category_id", "m.node", "''", "1 = 1"
    if dimension == CubeDimension.COUPON:
        return "", "0", "f.coupon", "f.coupon <> ''"
    if dimension == CubeDimension.SLOT:
        return "", "f.weekday * 24 + f.hour", "''", "1 = 1"
    column = {"product": "f.product_id", "variant": "f.variant_id", "cashier": "f.cashier_id"}[dimension]
    return "", column, "''", f"{column} IS NOT NULL"


def _start_sql(vendor: str, grain: str, expression: str) -> str:
    """SQL for the first day of the year or the month, or the Monday of the week, of a date."""
    unit = {CubeGrain.YEAR: "year", CubeGrain.MONTH: "month"}.get(CubeGrain(grain), "week")
    if vendor == "postgresql":
        return f"CAST(date_trunc('{unit}', {expression}) AS date)"
    if grain != CubeGrain.WEEK:
        return f"date({expression}, 'start of {unit}')"
    return f"date({expression}, 'weekday 0', '-6 days')"  # the Sunday on or after, less six days


SHOP_SQL = f"COALESCE(f.shop_id, {STORES})"
PLACES = (  # (location_key, shop_key, channel) of the three kinds of rows
    ("COALESCE(f.location_id, 0)", SHOP_SQL, "f.channel"),
    (f"{EVERYWHERE}", f"{ALL_SHOPS}", "''"),
    (f"{EVERYWHERE}", SHOP_SQL, "''"),
)


def _cube_select(
    dimension: str,
    chains: dict[int, tuple[int, ...]],
    vendor: str,
    *,
    place: tuple[str, str, str],
    grain: str,
) -> str:
    """The cube rows of a dimension, grain and place, from the facts, in ``CUBE_KEY`` order."""
    join, ref, code, condition = dimension_sql(dimension, chains)
    location, shop, channel = place
    return (
        f"SELECT {location} AS location_key, {shop} AS shop_key, '{grain}' AS grain, "
        f"{_start_sql(vendor, grain, 'f.day')} AS start, "
        f"{channel} AS channel, {ref} AS ref, {code} AS code, {AGGREGATES} "
        f"FROM {FACT_TABLE} f {join} WHERE {condition} GROUP BY 1, 2, 3, 4, 5, 6, 7"
    )


def _cube_selects(dimension: str, chains: dict[int, tuple[int, ...]], vendor: str) -> Iterator[str]:
    for place in PLACES:
        for grain in CubeGrain.values:
            yield _cube_select(dimension, chains, vendor, place=place, grain=grain)


CUSTOMER_SELECT = f"""
    SELECT f.customer_id, f.day, COALESCE(f.location_id, 0) AS location_key,
           COUNT(DISTINCT CASE WHEN f.kind = 'sale' THEN f.order_id END),
           COALESCE(SUM(f.revenue_ttc), 0)
    FROM {FACT_TABLE} f WHERE f.customer_id IS NOT NULL GROUP BY 1, 2, 3
"""


FIRSTS_SELECT = f"""
    SELECT customer_id, location_key, MIN(day) FROM {CUSTOMER_TABLE} WHERE orders > 0
    GROUP BY customer_id, location_key
    UNION ALL
    SELECT customer_id, {EVERYWHERE}, MIN(day) FROM {CUSTOMER_TABLE} WHERE orders > 0 GROUP BY customer_id
"""


def rebuild() -> None:
    """Every cube and customer row again from the facts, in SQL (inside ``facts.rebuild``'s
    transaction)."""
    chains = category_chains()
    connection = connections[PRIMARY]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CUBE_TABLE}")
        cursor.execute(f"DELETE FROM {CUSTOMER_TABLE}")
        columns = ", ".join((*CUBE_KEY, *FIGURES))
        for dimension in CubeDimension.values:
            for select in _cube_selects(dimension, chains, connection.vendor):
                cursor.execute(
                    f"INSERT INTO {CUBE_TABLE} ({columns}) SELECT %s, s.* FROM ({select}) s", [dimension]
                )
        cursor.execute(
            f"INSERT INTO {CUSTOMER_TABLE} (customer_id, day, location_key, orders, revenue_ttc) "
            f"{CUSTOMER_SELECT}"
        )
        cursor.execute(f"DELETE FROM {FIRST_TABLE}")
        cursor.execute(f"INSERT INTO {FIRST_TABLE} (customer_id, location_key, first_day) {FIRSTS_SELECT}")


def check(problem: Any) -> None:
    """Compare the stored cube and customer rows with the SQL from the facts; ``problem(text)`` for each
    difference. Amounts compared to the cent (SQLite sums in floating point)."""
    chains = category_chains()
    connection = connections[PRIMARY]
    for dimension in CubeDimension.values:
        wanted = {
            key: figures
            for select in _cube_selects(dimension, chains, connection.vendor)
            for key, figures in _fetch(select, [], keys=7).items()
        }
        stored = _fetch(
            f"SELECT {', '.join(CUBE_KEY[1:])}, {', '.join(FIGURES)} FROM {CUBE_TABLE} WHERE dimension = %s",
            [dimension],
            keys=7,
        )
        _compare(f"cube {dimension}", wanted, stored, problem)
    wanted = _fetch(CUSTOMER_SELECT, [], keys=3)
    stored = _fetch(
        f"SELECT customer_id, day, location_key, orders, revenue_ttc FROM {CUSTOMER_TABLE}", [], keys=3
    )
    _compare("customer day", wanted, stored, problem)
    wanted = _fetch(FIRSTS_SELECT, [], keys=2)
    stored = _fetch(
        f"SELECT customer_id, location_key, first_day FROM {FIRST_TABLE} WHERE first_day IS NOT NULL",
        [],
        keys=2,
    )
    _compare("first purchase", wanted, stored, problem)


def _fetch(sql: str, params: list[Any], *, keys: int) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Rows as ``{first keys columns: the other columns}``, rows of zeros left out."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(sql, params)
        found = {}
        for row in cursor.fetchall():
            values = [typed(value) for value in row]
            figures = tuple(
                Decimal(value).quantize(CENT) if isinstance(value, Decimal | float) else value
                for value in values[keys:]
            )
            if any(figures):
                found[tuple(values[:keys])] = figures
    return found


def _compare(
    name: str, wanted: dict[tuple[Any, ...], Any], stored: dict[tuple[Any, ...], Any], problem: Any
) -> None:
    for key in sorted(wanted.keys() - stored.keys(), key=str):
        problem(f"{name} {key}: missing, the facts say {wanted[key]}")
    for key in sorted(stored.keys() - wanted.keys(), key=str):
        problem(f"{name} {key}: {stored[key]} without facts")
    for key in sorted(wanted.keys() & stored.keys(), key=str):
        if wanted[key] != stored[key]:
            problem(f"{name} {key}: {stored[key]}, the facts say {wanted[key]}")


# --- reading: whole years, months and weeks from the cube, the days around them from the facts ---------

Days = tuple[dt.date, dt.date]  # first, last (included)
Starts = tuple[dt.date, dt.date]  # first start, the start after the last (excluded)
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Parts:
    """A period as pieces that add up to it: the cube rows of whole ``years``, ``months`` and ``weeks``
    (first start, start after the last), the facts of the other ``days``; minus the pieces of ``less``
    (the days of a year the period leaves out, when it covers most of that year)."""

    months: list[Starts]
    weeks: list[Starts]
    days: list[Days]
    years: list[Starts] = field(default_factory=list)
    less: Parts | None = None


def split(start: dt.date, end: dt.date, *, years: bool = True) -> Parts:
    """``start`` .. ``end`` as cube and fact pieces. A calendar year the period covers for the most part
    is read as its year row less the days left out (``less``: "this year" on 29 November is the year's
    row less 30 November - 31 December, which have no sales yet); the rest as whole months, then the
    whole weeks (Monday to Sunday) of what is left, then the days left over. ``years=False``: months,
    weeks and days only (a question a subtraction cannot answer, such as "was it sold")."""
    whole: list[Starts] = []
    left_out: list[Days] = []
    rest: list[Days] = []
    for year in range(start.year, end.year + 1):
        january, december = dt.date(year, 1, 1), dt.date(year, 12, 31)
        first, last = max(start, january), min(end, december)
        outside = [(a, b) for a, b in ((january, first - ONE_DAY), (last + ONE_DAY, december)) if a <= b]
        missing = sum((b - a).days + 1 for a, b in outside)
        if years and missing < (last - first).days + 1:
            whole.append((january, dt.date(year + 1, 1, 1)))
            left_out.extend(outside)
        elif rest and rest[-1][1] + ONE_DAY == first:
            rest[-1] = (rest[-1][0], last)  # one stretch across the new year (its week rows)
        else:
            rest.append((first, last))
    parts = _pieces(rest)
    less = _pieces(left_out) if left_out else None
    return Parts(parts.months, parts.weeks, parts.days, years=whole, less=less)


def _pieces(stretches: list[Days]) -> Parts:
    """Each stretch as its whole calendar months, then the whole weeks of what is left, then the days
    left over (at most six on each side of each stretch of weeks)."""
    months: list[Starts] = []
    rest: list[Days] = []
    for start, end in stretches:
        first = start if start.day == 1 else _next_month(start)
        stop = (end + ONE_DAY).replace(day=1)
        if first >= stop:
            rest.append((start, end))
            continue
        months.append((first, stop))
        if start < first:
            rest.append((start, first - ONE_DAY))
        if stop <= end:
            rest.append((stop, end))
    weeks: list[Starts] = []
    days: list[Days] = []
    for a, b in rest:
        monday = a + dt.timedelta(days=(7 - a.weekday()) % 7)
        after = b + ONE_DAY
        last_monday = after - dt.timedelta(days=after.weekday())  # the Monday starting the week after
        if monday >= last_monday:
            days.append((a, b))
            continue
        weeks.append((monday, last_monday))
        if a < monday:
            days.append((a, monday - ONE_DAY))
        if last_monday <= b:
            days.append((last_monday, b))
    return Parts(months, weeks, days)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _cube_ranges(parts: Parts, params: dict[str, Any], prefix: str) -> str:
    """SQL over the cube's ``grain`` and ``start`` for the years, months and weeks of ``parts`` ("" if
    none)."""
    found = [
        (grain.value, first, stop)
        for grain, starts in ((CubeGrain.YEAR, parts.years), (CubeGrain.MONTH, parts.months),
                              (CubeGrain.WEEK, parts.weeks))
        for first, stop in starts
    ]  # fmt: skip
    ranges = []
    for i, (grain, first, stop) in enumerate(found):
        params[f"{prefix}{i}a"], params[f"{prefix}{i}b"] = first, stop
        ranges.append(f"(grain = '{grain}' AND start >= %({prefix}{i}a)s AND start < %({prefix}{i}b)s)")
    return " OR ".join(ranges)


def _day_ranges(parts: Parts, params: dict[str, Any], prefix: str) -> str:
    ranges = []
    for i, (first, last) in enumerate(parts.days):
        params[f"{prefix}{i}a"], params[f"{prefix}{i}b"] = first, last
        ranges.append(f"day BETWEEN %({prefix}{i}a)s AND %({prefix}{i}b)s")
    return " OR ".join(ranges)


def shop_keys_sql(shops: Iterable[int] | None, column: str) -> str:
    """`` AND column IN (...)`` for these shop keys ("" for every shop)."""
    if shops is None:
        return ""
    keys = sorted({int(key) for key in shops})
    if not keys:
        return " AND 1 = 0"
    return f" AND {column} IN ({', '.join(str(key) for key in keys)})"


def shop_facts_sql(shops: Iterable[int] | None, column: str = "shop_id") -> str:
    """`` AND (...)`` keeping the facts of these shop keys (0: no shop, the stores); "" for every shop."""
    if shops is None:
        return ""
    keys = sorted({int(key) for key in shops})
    found = [f"{column} IN ({', '.join(str(key) for key in keys if key)})"] if any(keys) else []
    if STORES in keys:
        found.append(f"{column} IS NULL")
    return f" AND ({' OR '.join(found)})" if found else " AND 1 = 0"


def _piece_selects(
    parts: Parts,
    dimension: str,
    location_id: int | None,
    params: dict[str, Any],
    prefix: str,
    shops: tuple[int, ...] | None = None,
) -> tuple[list[str], list[str]]:
    """(common table expressions, SELECTs of ``ref, code, FIGURES``) of the pieces of ``parts``: the
    cube rows of its years, months and weeks, and its days' facts."""
    ctes: list[str] = []
    selects: list[str] = []
    cube_ranges = _cube_ranges(parts, params, f"{prefix}c")
    if cube_ranges:
        if location_id is None and shops is None:
            shop_scope = f" AND shop_key = {ALL_SHOPS}"
        else:  # a location's rows are per shop; so are the rows over every location but the chain's
            shop_scope = shop_keys_sql(shops, "shop_key") or f" AND shop_key <> {ALL_SHOPS}"
        selects.append(
            f"SELECT ref, code, {', '.join(FIGURES)} FROM {CUBE_TABLE} WHERE dimension = %(dimension)s "
            f"AND location_key = %(place)s{shop_scope} AND ({cube_ranges})"
        )
    if parts.days:
        chains = category_chains(read_alias()) if dimension == CubeDimension.CATEGORY else {}
        join, ref, code, condition = dimension_sql(dimension, chains)
        scope = "" if location_id is None else " AND location_id = %(place)s"
        scope += shop_facts_sql(shops)
        # The days' facts first (by the day index), then mapped: left to itself, PostgreSQL reads each
        # category's facts by the category index and filters the days (300 ms, not 60).
        ctes.append(
            f"{prefix}edge AS MATERIALIZED (SELECT {', '.join(EDGE_COLUMNS)} FROM {FACT_TABLE} "
            f"WHERE ({_day_ranges(parts, params, f'{prefix}d')}){scope})"
        )
        selects.append(
            f"SELECT {ref} AS ref, {code} AS code, {AGGREGATES} "
            f"FROM {prefix}edge f {join} WHERE {condition} GROUP BY 1, 2"
        )
    return ctes, selects


def breakdown(
    dimension: str,
    start: dt.date,
    end: dt.date,
    *,
    location_id: int | None = None,
    shops: tuple[int, ...] | None = None,
    limit: int | None = None,
    ascending: bool = False,
    ends: int | None = None,
) -> list[dict[str, Any]]:
    """The facts of ``start`` .. ``end`` summed per value of ``dimension`` (``ref``, ``code`` and
    ``FIGURES``, cancelled and returned units negative), highest revenue TTC first (``ascending``: lowest),
    the first ``limit`` only; ``ends``: the first and the last ``ends`` (``top_rank``, ``bottom_rank``).
    One SQL statement: the cube rows of the whole years, months and weeks and the other days' facts
    (``split``), less the pieces of the days a year row holds beyond the period, summed together; a
    value whose figures come to nothing is left out (a year's sales all after the period). ``shops``:
    the shop keys to keep (0: the stores), None for every shop."""
    parts = split(start, end)
    params: dict[str, Any] = {
        "dimension": dimension,
        "place": EVERYWHERE if location_id is None else location_id,
    }
    ctes, selects = _piece_selects(parts, dimension, location_id, params, "", shops)
    if parts.less is not None:
        less_ctes, less_selects = _piece_selects(parts.less, dimension, location_id, params, "less_", shops)
        negated = ", ".join(f"-{name} AS {name}" for name in FIGURES)
        ctes += less_ctes
        selects += [f"SELECT ref, code, {negated} FROM ({select}) n" for select in less_selects]
    sums = ", ".join(f"SUM({name}) AS {name}" for name in FIGURES)
    nonzero = " OR ".join(
        f"ROUND(SUM({name}), 2) <> 0" if name in MONEY else f"SUM({name}) <> 0" for name in FIGURES
    )
    sql = (
        f"SELECT ref, code, {sums} FROM ({' UNION ALL '.join(selects)}) u GROUP BY ref, code HAVING {nonzero}"
    )
    if ends is not None:  # the first and the last ``ends`` by revenue, from one aggregation
        sql = (
            f"SELECT * FROM (SELECT g.*, "
            f"ROW_NUMBER() OVER (ORDER BY revenue_ttc DESC, ref, code) AS top_rank, "
            f"ROW_NUMBER() OVER (ORDER BY revenue_ttc ASC, ref, code) AS bottom_rank FROM ({sql}) g) r "
            f"WHERE top_rank <= {int(ends)} OR bottom_rank <= {int(ends)}"
        )
    prefix = f"WITH {', '.join(ctes)} " if ctes else ""
    sql = f"{prefix}{sql} ORDER BY revenue_ttc {'ASC' if ascending else 'DESC'}, ref, code"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = fetch_rows(sql, params)
    for row in rows:  # SQLite sums whole amounts as integers, others in floating point
        for name in MONEY:
            value = row[name]
            row[name] = (Decimal(str(value)) if isinstance(value, float) else Decimal(value)).quantize(CENT)
    return rows


def sold_pairs(start: dt.date, end: dt.date, *, location_id: int | None = None) -> tuple[str, dict[str, Any]]:
    """SQL (and its parameters) of the (variant_id, location_id) pairs with a sale between ``start``
    and ``end``: the whole months' and weeks' variant rows of the cube, the other days' facts."""
    parts = split(start, end, years=False)
    params: dict[str, Any] = {"sp_location": location_id}
    selects = []
    cube_ranges = _cube_ranges(parts, params, "spc")
    if cube_ranges:
        scope = "" if location_id is None else " AND location_key = %(sp_location)s"
        selects.append(
            f"SELECT ref AS variant_id, location_key AS location_id FROM {CUBE_TABLE} "
            f"WHERE dimension = 'variant' AND ({cube_ranges}) AND units_sold > 0 AND location_key > 0{scope}"
        )
    if parts.days:
        scope = "" if location_id is None else " AND location_id = %(sp_location)s"
        selects.append(
            f"SELECT variant_id, location_id FROM {FACT_TABLE} WHERE kind = 'sale' "
            f"AND variant_id IS NOT NULL AND ({_day_ranges(parts, params, 'spd')}){scope}"
        )
    return " UNION ".join(selects), params
