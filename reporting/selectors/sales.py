"""Sales breakdowns: the period's figures grouped by time, store, channel, category, product, variant,
cashier, payment method, coupon, hour or weekday (the breakdown pages and ``/api/v1/reports/sales/``).

Every figure is ``reporting.facts``'s (read its docstring); each row has:

- ``revenue_ht`` / ``revenue_ttc``: goods sold net of the period's cancellations and returns;
- ``sales_ttc``: goods sold (before cancellations and returns); ``orders``: orders sold;
- ``average_basket``: ``sales_ttc / orders`` (TTC value of the goods sold per order);
- ``units``: units sold net of cancellations and returns (``units_sold``, ``units_returned``,
  ``units_cancelled`` beside it, the last two as positive numbers);
- ``margin_ht``: revenue HT of the units that have a cost minus their cost; ``margin_rate`` the margin
  over that revenue (None without costed revenue);
- ``discount_ttc``: discounts given on the goods sold.

Day, week, month, store and channel read ``SalesDay`` (a row per day x location x channel);
category, product, variant, cashier, coupon, hour and weekday ``SalesFact`` (one GROUP BY in SQL over
the period's days); payment method ``PaymentFact`` (amounts taken, shipping included: only
``revenue_ttc``, ``orders`` and ``average_basket`` are filled). Every read goes to ``read_alias()``,
limited by the scope: its store and its shops (``Scope.shops``: ``SalesDay`` and ``PaymentFact`` by
their ``shop``, the cube by its ``shop_key``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product, Variant
from inventory.models import Location
from inventory.selectors import on_hand_by_product

from .. import cube
from ..access import Scope
from ..db import read_alias
from ..models import CubeDimension, PaymentFact, ReportChannel, SalesDay
from ..periods import Period

ZERO = Decimal("0")
CENT = Decimal("0.01")
RATE = Decimal("0.0001")

GROUP_BYS = (
    "day", "week", "month", "store", "channel", "category", "product", "variant", "cashier",
    "payment_method", "coupon", "hour", "weekday",
)  # fmt: skip
DAY_GROUPS = {"day": "day", "week": "week", "month": "month", "store": "location_id", "channel": "channel"}
FACT_GROUPS = {
    "category": "category_id", "product": "product_id", "variant": "variant_id", "cashier": "cashier_id",
    "coupon": "coupon", "hour": "hour", "weekday": "weekday",
}  # fmt: skip
WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
FIGURES = ("revenue_ht", "revenue_ttc", "sales_ttc", "orders", "units", "units_sold", "units_returned",
           "units_cancelled", "discount_ttc", "cost_ht", "costed_revenue_ht")  # fmt: skip


class UnknownGroupBy(ValueError):
    pass


# --- the sums ------------------------------------------------------------------------------------


def _day_sums() -> dict[str, Any]:
    return {
        "s_orders": Sum("orders", default=0),
        "s_units_sold": Sum("units_sold", default=0),
        "s_units_cancelled": Sum("units_cancelled", default=0),
        "s_units_returned": Sum("units_returned", default=0),
        "s_sales_ttc": Sum("sales_ttc", default=ZERO),
        "s_revenue_ht": Sum("revenue_ht", default=ZERO),
        "s_revenue_ttc": Sum("revenue_ttc", default=ZERO),
        "s_discount_ttc": Sum("discount_ttc", default=ZERO),
        "s_cost_ht": Sum("cost_ht", default=ZERO),
        "s_costed_revenue_ht": Sum("costed_revenue_ht", default=ZERO),
    }


def _figures(sums: dict[str, Any], *, from_days: bool) -> dict[str, Any]:
    """A row's figures from the SQL sums (facts keep cancelled / returned units negative, days positive)."""
    row: dict[str, Any] = {name: sums.get(f"s_{name}") for name in FIGURES}
    if from_days:
        row["units"] = row["units_sold"] - row["units_cancelled"] - row["units_returned"]
    else:
        row["units_cancelled"], row["units_returned"] = -row["units_cancelled"], -row["units_returned"]
    return _derived(row)


def _derived(row: dict[str, Any]) -> dict[str, Any]:
    orders = row["orders"] or 0
    row["average_basket"] = (row["sales_ttc"] / orders).quantize(CENT) if orders else None
    row["margin_ht"] = row["costed_revenue_ht"] - row["cost_ht"]
    row["margin_rate"] = (
        (row["margin_ht"] / row["costed_revenue_ht"]).quantize(RATE) if row["costed_revenue_ht"] else None
    )
    return row


def _add(into: dict[str, Any], row: dict[str, Any]) -> None:
    for name in FIGURES:
        into[name] = (into.get(name) or 0) + (row.get(name) or 0)


def days(period: Period, scope: Scope) -> QuerySet[SalesDay]:
    return scope.filter(SalesDay.objects.using(read_alias()).filter(day__range=(period.start, period.end)))


def payments(period: Period, scope: Scope) -> QuerySet[PaymentFact]:
    return scope.filter(PaymentFact.objects.using(read_alias()).filter(day__range=(period.start, period.end)))


# --- rows per group --------------------------------------------------------------------------------


def sales_rows(
    period: Period, scope: Scope, group_by: str, *, limit: int | None = None, ascending: bool = False
) -> list[dict[str, Any]]:
    """The period's rows for ``group_by`` (one of ``GROUP_BYS``): ``key``, ``label`` and the figures.

    Time groups are in time order, ``hour`` and ``weekday`` in their order, the others by revenue TTC
    (highest first; ``ascending`` for the lowest); ``limit`` keeps the first N (product, variant).
    """
    if group_by not in GROUP_BYS:
        raise UnknownGroupBy(group_by)
    if group_by == "payment_method":
        return payment_rows(period, scope)
    if group_by == "category":
        return category_rows(period, scope)
    if group_by in DAY_GROUPS:
        rows = _day_rows(period, scope, group_by)
    else:
        rows = _fact_rows(period, scope, group_by, limit=limit, ascending=ascending)
    label(rows, group_by)
    return rows


def _day_rows(period: Period, scope: Scope, group_by: str) -> list[dict[str, Any]]:
    queryset = days(period, scope)
    if group_by == "week":
        queryset = queryset.annotate(week=TruncWeek("day"))
    elif group_by == "month":
        queryset = queryset.annotate(month=TruncMonth("day"))
    field = DAY_GROUPS[group_by]
    grouped = queryset.values(field).annotate(**_day_sums()).order_by(field)
    rows = [{"key": g[field], **_figures(g, from_days=True)} for g in grouped]
    for row in rows:
        if isinstance(row["key"], dt.datetime):
            row["key"] = row["key"].date()
    if group_by not in ("day", "week", "month"):
        rows.sort(key=lambda row: row["revenue_ttc"], reverse=True)
    return rows


def _fact_rows(
    period: Period, scope: Scope, group_by: str, *, limit: int | None, ascending: bool
) -> list[dict[str, Any]]:
    if group_by in ("hour", "weekday"):
        return slot_rows(slots(period, scope), group_by)
    found = cube.breakdown(
        group_by,
        period.start,
        period.end,
        location_id=scope.location_id,
        shops=scope.shops,
        limit=limit,
        ascending=ascending,
    )
    key = "code" if group_by == "coupon" else "ref"
    return [{"key": g[key], **_figures(_prefixed(g), from_days=False)} for g in found]


def _prefixed(row: dict[str, Any]) -> dict[str, Any]:
    return {f"s_{name}": row[name] for name in FIGURES}


def slots(period: Period, scope: Scope) -> list[dict[str, Any]]:
    """The period's figures per weekday x hour (``ref`` = weekday x 24 + hour)."""
    return cube.breakdown(
        CubeDimension.SLOT, period.start, period.end, location_id=scope.location_id, shops=scope.shops
    )


def slot_rows(found: list[dict[str, Any]], group_by: str) -> list[dict[str, Any]]:
    """Hours (0-23) or weekdays (0 Monday), each the sum of its slots (``slots``)."""
    summed: dict[int, dict[str, Any]] = {}
    for slot in found:
        key = slot["ref"] % 24 if group_by == "hour" else slot["ref"] // 24
        _add(summed.setdefault(key, {}), slot)
    return [{"key": key, **_figures(_prefixed(summed[key]), from_days=False)} for key in sorted(summed)]


def label(rows: list[dict[str, Any]], group_by: str) -> None:
    keys = [row["key"] for row in rows if row["key"] is not None]
    alias = read_alias()
    names: dict[Any, str] = {}
    if group_by == "store":
        locations = Location.objects.using(alias).filter(pk__in=keys)
        names = {pk: f"{name} ({code})" for pk, name, code in locations.values_list("pk", "name", "code")}
    elif group_by == "channel":
        names = {value: str(label) for value, label in ReportChannel.choices}
    elif group_by == "product":
        names = dict(Product.objects.using(alias).filter(pk__in=keys).values_list("pk", "name"))
    elif group_by == "variant":
        variants = Variant.objects.using(alias).filter(pk__in=keys)
        rows_ = variants.values_list("pk", "sku", "product__name")
        names = {pk: f"{sku} · {name}" for pk, sku, name in rows_}
    elif group_by == "cashier":
        from accounts.models import User

        for pk, first, last, email in (
            User.objects.using(alias)
            .filter(pk__in=keys)
            .values_list("pk", "first_name", "last_name", "email")
        ):
            names[pk] = f"{first} {last}".strip() or email
    elif group_by == "weekday":
        names = {i: str(name) for i, name in enumerate(WEEKDAYS)}
    elif group_by == "hour":
        names = {h: f"{h:02d}:00–{h:02d}:59" for h in range(24)}
    for row in rows:
        key = row["key"]
        if isinstance(key, dt.date):
            row["label"] = key.isoformat()
        elif key is None:
            row["label"] = str(_("No location")) if group_by == "store" else "–"
        else:
            row["label"] = names.get(key, str(key))


# --- category: a tree ------------------------------------------------------------------------------


def category_rows(period: Period, scope: Scope) -> list[dict[str, Any]]:
    """Every category that sold, and its parents, in tree order (``depth``, ``path``): a parent's row
    covers its whole subtree (the cube counts a fact for its category and each parent, orders
    included: one order buying in two subcategories is one order of the parent)."""
    tree: dict[int, int | None] = {}
    names: dict[int, str] = {}
    positions: dict[int, tuple[int, str]] = {}
    for pk, parent, name, position in Category.objects.using(read_alias()).values_list(
        "pk", "parent_id", "name", "position"
    ):
        tree[pk], names[pk], positions[pk] = parent, name, (position, name)

    def ancestors(pk: int) -> list[int]:  # root first, ``pk`` last
        chain: list[int] = []
        while pk is not None and pk not in chain:
            chain.append(pk)
            pk = tree.get(pk)  # type: ignore[assignment]
        return chain[::-1]

    rows = []
    for found in cube.breakdown(
        CubeDimension.CATEGORY, period.start, period.end, location_id=scope.location_id, shops=scope.shops
    ):
        node = found["ref"]
        chain = ancestors(node)
        rows.append(
            {
                "key": node,
                "label": names.get(node, str(node)),
                "depth": len(chain) - 1,
                "path": " › ".join(names.get(pk, "") for pk in chain),
                "sort": [positions.get(pk, (0, "")) for pk in chain],
                **_figures(_prefixed(found), from_days=False),
            }
        )
    rows.sort(key=lambda row: row.pop("sort"))
    return rows


# --- payments --------------------------------------------------------------------------------------


def payment_rows(period: Period, scope: Scope) -> list[dict[str, Any]]:
    """Money taken per method (web providers, till tenders net of change; shipping included)."""
    grouped = (
        payments(period, scope)
        .values("method")
        .annotate(s_amount=Sum("amount", default=ZERO), s_orders=Count("order", distinct=True))
        .order_by("-s_amount", "method")
    )
    rows = []
    for g in grouped:
        row: dict[str, Any] = dict.fromkeys(
            ("revenue_ht", "sales_ttc", "units", "units_sold", "units_returned", "units_cancelled",
             "discount_ttc", "cost_ht", "costed_revenue_ht", "margin_ht", "margin_rate")
        )  # fmt: skip
        orders = g["s_orders"]
        row.update(
            key=g["method"],
            label=str(PAYMENT_LABELS.get(g["method"], g["method"])),
            revenue_ttc=g["s_amount"],
            orders=orders,
            average_basket=(g["s_amount"] / orders).quantize(CENT) if orders else None,
        )
        rows.append(row)
    return rows


PAYMENT_LABELS: dict[str, Any] = {
    "stripe": "Stripe", "paypal": "PayPal", "test": _("Test provider"), "cash": _("Cash"),
    "card": _("Card"), "mobile": _("Mobile"), "store_credit": _("Store credit"),
}  # fmt: skip


# --- products: top, bottom, sell-through -----------------------------------------------------------


def product_ranking(period: Period, scope: Scope, *, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
    """The top and bottom ``limit`` products by revenue TTC (products that sold in the period), each
    with its sell-through: ``units / (units + stock on hand now)`` (stock of the scope's locations,
    one grouped query)."""
    ends = cube.breakdown(
        "product", period.start, period.end, location_id=scope.location_id, shops=scope.shops, ends=limit
    )
    rows = [{"key": g["ref"], **_figures(_prefixed(g), from_days=False), "ranks": g} for g in ends]
    label(rows, "product")
    top = sorted((r for r in rows if r["ranks"]["top_rank"] <= limit), key=lambda r: r["ranks"]["top_rank"])
    bottom = sorted(
        (r for r in rows if r["ranks"]["bottom_rank"] <= limit), key=lambda r: r["ranks"]["bottom_rank"]
    )
    top = [{k: v for k, v in r.items() if k != "ranks"} for r in top]
    bottom = [{k: v for k, v in r.items() if k != "ranks"} for r in bottom]
    ids = {row["key"] for row in top + bottom}
    stock = on_hand_by_product(ids, location_id=scope.location_id, using=read_alias())
    for row in top + bottom:
        row["stock"] = stock.get(row["key"], 0)
        row["sell_through"] = sell_through(row["units"], row["stock"])
    return {"top": top, "bottom": bottom}


def sell_through(units: int, stock: int) -> Decimal | None:
    sold = max(units, 0)
    if sold + stock <= 0:
        return None
    return (Decimal(sold) / Decimal(sold + stock)).quantize(RATE)


# --- hour x weekday ----------------------------------------------------------------------------------


def hour_weekday_matrix(
    period: Period, scope: Scope, *, figure: str = "sales_ttc", found: list[dict[str, Any]] | None = None
) -> list[list[Decimal]]:
    """7 rows (Monday first) x 24 hours: goods sold TTC (``figure="orders"``: orders) at that hour
    (``found``: the period's ``slots`` when the caller has them already)."""
    matrix = [[Decimal(0)] * 24 for _ in range(7)]
    for slot in found if found is not None else slots(period, scope):
        matrix[slot["ref"] // 24][slot["ref"] % 24] = Decimal(
            slot["orders" if figure == "orders" else "sales_ttc"]
        )
    return matrix


# --- coupons -------------------------------------------------------------------------------------------


def coupon_uplift(period: Period, scope: Scope) -> dict[str, Any]:
    """Average basket (goods sold TTC per order) of the orders that used a coupon against those that
    did not, over the same period, scope and channels; ``uplift`` = with / without - 1 (None when
    either side has no order). A comparison, not a causal effect: coupon orders self-select."""
    with_: dict[str, Any] = {}
    for row in cube.breakdown(
        CubeDimension.COUPON, period.start, period.end, location_id=scope.location_id, shops=scope.shops
    ):
        _add(with_, row)
    every = days(period, scope).aggregate(
        orders=Sum("orders", default=0), sales_ttc=Sum("sales_ttc", default=ZERO)
    )
    with_orders, with_ttc = with_.get("orders", 0), with_.get("sales_ttc", ZERO)
    without_orders, without_ttc = every["orders"] - with_orders, every["sales_ttc"] - with_ttc
    with_basket = (with_ttc / with_orders).quantize(CENT) if with_orders else None
    without_basket = (without_ttc / without_orders).quantize(CENT) if without_orders else None
    uplift = (with_basket / without_basket - 1).quantize(RATE) if with_basket and without_basket else None
    return {
        "orders_with": with_orders,
        "orders_without": without_orders,
        "basket_with": with_basket,
        "basket_without": without_basket,
        "discount_with": with_.get("discount_ttc", ZERO),
        "uplift": uplift,
    }
