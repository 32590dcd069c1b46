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
limited by the scope.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product, Variant
from inventory.models import Location
from inventory.selectors import on_hand_by_product

from ..access import Scope
from ..db import read_alias
from ..models import FactKind, PaymentFact, ReportChannel, SalesDay, SalesFact
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


def _fact_sums() -> dict[str, Any]:
    sale = Q(kind=FactKind.SALE)
    costed = Q(cost_ht__isnull=False)
    return {
        "s_orders": Count("order", filter=sale, distinct=True),
        "s_units": Sum("units", default=0),  # refunds carry no units
        "s_units_sold": Sum("units", filter=sale, default=0),
        "s_units_cancelled": Sum("units", filter=Q(kind=FactKind.CANCEL), default=0),
        "s_units_returned": Sum("units", filter=Q(kind=FactKind.RETURN), default=0),
        "s_sales_ttc": Sum("revenue_ttc", filter=sale, default=ZERO),
        "s_revenue_ht": Sum("revenue_ht", default=ZERO),
        "s_revenue_ttc": Sum("revenue_ttc", default=ZERO),
        "s_discount_ttc": Sum("discount_ttc", default=ZERO),
        "s_cost_ht": Sum("cost_ht", filter=costed, default=ZERO),
        "s_costed_revenue_ht": Sum("revenue_ht", filter=costed, default=ZERO),
    }


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


def facts(period: Period, scope: Scope) -> QuerySet[SalesFact]:
    return scope.filter(SalesFact.objects.using(read_alias()).filter(day__range=(period.start, period.end)))


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
    _label(rows, group_by)
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
    field = FACT_GROUPS[group_by]
    queryset = facts(period, scope)
    if group_by == "cashier":
        queryset = queryset.filter(cashier__isnull=False)
    elif group_by == "coupon":
        queryset = queryset.exclude(coupon="")
    elif group_by in ("product", "variant"):
        queryset = queryset.filter(**{f"{field}__isnull": False})
    grouped = queryset.values(field).annotate(**_fact_sums())
    if group_by in ("hour", "weekday"):
        grouped = grouped.order_by(field)
    else:
        order = "s_revenue_ttc" if ascending else "-s_revenue_ttc"
        grouped = grouped.order_by(order, field)
    if limit is not None:
        grouped = grouped[:limit]
    return [{"key": g[field], **_figures(g, from_days=False)} for g in grouped]


def _label(rows: list[dict[str, Any]], group_by: str) -> None:
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
    covers its whole subtree. Additive figures are summed over the tree in Python; orders are not
    additive (one order can buy in two subcategories), so they come from one grouped query per tree
    level (each fact's category mapped to its ancestor at that level by a CASE): the tree is small."""
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

    queryset = facts(period, scope).filter(category__isnull=False)
    own = {g["category_id"]: g for g in queryset.values("category_id").annotate(**_fact_sums())}
    totals: dict[int, dict[str, Any]] = defaultdict(dict)
    chains = {pk: ancestors(pk) for pk in own}
    for pk, sums in own.items():
        row = _figures(dict(sums), from_days=False)
        for node in chains[pk]:
            _add(totals[node], row)
    depth = max((len(chain) for chain in chains.values()), default=0)
    orders: dict[int, int] = {}
    for level in range(depth):
        mapping: dict[int, list[int]] = defaultdict(list)
        for pk, chain in chains.items():
            if len(chain) > level:
                mapping[chain[level]].append(pk)
        whens = [When(category_id__in=ids, then=Value(node)) for node, ids in mapping.items()]
        counted = (
            queryset.filter(category_id__in=[pk for ids in mapping.values() for pk in ids])
            .annotate(node=Case(*whens, output_field=IntegerField()))
            .values("node")
            .annotate(n=Count("order", filter=Q(kind=FactKind.SALE), distinct=True))
            .order_by("node")
        )
        orders.update({g["node"]: g["n"] for g in counted})
    rows = []
    for node, figures in totals.items():
        figures["orders"] = orders.get(node, 0)
        chain = ancestors(node)
        rows.append(
            {
                "key": node,
                "label": names.get(node, str(node)),
                "depth": len(chain) - 1,
                "path": " › ".join(names.get(pk, "") for pk in chain),
                "sort": [positions.get(pk, (0, "")) for pk in chain],
                **_derived(figures),
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
    top = sales_rows(period, scope, "product", limit=limit)
    bottom = sales_rows(period, scope, "product", limit=limit, ascending=True)
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


def hour_weekday_matrix(period: Period, scope: Scope, *, figure: str = "sales_ttc") -> list[list[Decimal]]:
    """7 rows (Monday first) x 24 hours: goods sold TTC (``figure="orders"``: orders) at that hour."""
    sale = facts(period, scope).filter(kind=FactKind.SALE)
    if figure == "orders":
        grouped = sale.values("weekday", "hour").annotate(v=Count("order", distinct=True))
    else:
        grouped = sale.values("weekday", "hour").annotate(v=Sum("revenue_ttc", default=ZERO))
    matrix = [[Decimal(0)] * 24 for _ in range(7)]
    for g in grouped.order_by():
        matrix[g["weekday"]][g["hour"]] = Decimal(g["v"])
    return matrix


# --- coupons -------------------------------------------------------------------------------------------


def coupon_uplift(period: Period, scope: Scope) -> dict[str, Any]:
    """Average basket (goods sold TTC per order) of the orders that used a coupon against those that
    did not, over the same period, scope and channels; ``uplift`` = with / without - 1 (None when
    either side has no order). A comparison, not a causal effect: coupon orders self-select."""
    sale = facts(period, scope).filter(kind=FactKind.SALE)
    sums = sale.aggregate(
        with_ttc=Sum("revenue_ttc", filter=~Q(coupon=""), default=ZERO),
        with_orders=Count("order", filter=~Q(coupon=""), distinct=True),
        with_discount=Sum("discount_ttc", filter=~Q(coupon=""), default=ZERO),
        without_ttc=Sum("revenue_ttc", filter=Q(coupon=""), default=ZERO),
        without_orders=Count("order", filter=Q(coupon=""), distinct=True),
    )
    with_basket = (sums["with_ttc"] / sums["with_orders"]).quantize(CENT) if sums["with_orders"] else None
    without_basket = (
        (sums["without_ttc"] / sums["without_orders"]).quantize(CENT) if sums["without_orders"] else None
    )
    uplift = (with_basket / without_basket - 1).quantize(RATE) if with_basket and without_basket else None
    return {
        "orders_with": sums["with_orders"],
        "orders_without": sums["without_orders"],
        "basket_with": with_basket,
        "basket_without": without_basket,
        "discount_with": sums["with_discount"],
        "uplift": uplift,
    }
