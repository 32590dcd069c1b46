"""The sales breakdown page (/dashboard/sales/?by=...): a chart and a sortable, exportable table per tab."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import charts
from .access import Scope
from .pages import dashboard_page, page_context
from .periods import Period, parse_period
from .selectors import sales
from .tables import EXPORT_FORMATS, Column, Table, export_response

TABS = {  # ?by= -> (tab label, group_by)
    "store": (_("Stores"), "store"),
    "channel": (_("Channels"), "channel"),
    "category": (_("Categories"), "category"),
    "product": (_("Products"), "product"),
    "cashier": (_("Cashiers"), "cashier"),
    "hour": (_("Hours"), "hour"),
    "payment": (_("Payments"), "payment_method"),
    "coupon": (_("Coupons"), "coupon"),
}
TOP = 20


def columns(by: str) -> list[Column]:
    if by == "payment":
        return [
            Column("label", gettext("Payment method")),
            Column("revenue_ttc", gettext("Taken TTC"), "money"),
            Column("orders", gettext("Orders"), "int"),
            Column("average_basket", gettext("Per order"), "money"),
        ]
    first = {"store": gettext("Store"), "channel": gettext("Channel"), "category": gettext("Category"),
             "product": gettext("Product"), "cashier": gettext("Cashier"), "hour": gettext("Hour"),
             "coupon": gettext("Coupon")}[by]  # fmt: skip
    cols = [Column("label", first)]
    if by == "category":
        cols.append(Column("path", gettext("Path")))
    cols += [
        Column("revenue_ht", gettext("Revenue HT"), "money"),
        Column("revenue_ttc", gettext("Revenue TTC"), "money"),
        Column("orders", gettext("Orders"), "int"),
        Column("units", gettext("Units"), "int"),
        Column("average_basket", gettext("Average basket"), "money"),
        Column("margin_ht", gettext("Margin HT"), "money"),
        Column("margin_rate", gettext("Margin rate"), "percent"),
    ]
    if by == "coupon":
        cols.append(Column("discount_ttc", gettext("Discount given TTC"), "money"))
    else:
        cols += [Column("units_returned", gettext("Units returned"), "int"),
                 Column("units_cancelled", gettext("Units cancelled"), "int")]  # fmt: skip
    if by == "product":
        cols += [
            Column("stock", gettext("Stock now"), "int"),
            Column("sell_through", gettext("Sell-through"), "percent"),
        ]
    return cols


def _total(rows: list[dict[str, Any]], by: str) -> dict[str, Any] | None:
    if by in ("category", "product") or not rows:
        return None  # a tree's parents already hold their children; a top N is not a whole
    total: dict[str, Any] = {"label": gettext("Total")}
    for name in ("revenue_ht", "revenue_ttc", "units", "units_returned", "units_cancelled", "margin_ht",
                 "discount_ttc"):  # fmt: skip
        values = [row.get(name) for row in rows if row.get(name) is not None]
        total[name] = sum(values) if values else None
    if by in ("store", "channel", "cashier", "hour", "payment", "coupon"):  # an order is in one row only
        total["orders"] = orders = sum(row["orders"] or 0 for row in rows)
        sold = sum(row.get("sales_ttc") or 0 for row in rows) if by != "payment" else total["revenue_ttc"]
        total["average_basket"] = (Decimal(sold or 0) / orders).quantize(sales.CENT) if orders else None
    return total


def build(period: Period, scope: Scope, by: str) -> dict[str, Any]:
    """The tab's tables (id -> Table) and chart."""
    label, group_by = TABS[by]
    title = gettext("Sales by %(what)s") % {"what": str(label).lower()}
    cols = columns(by)
    tables: dict[str, Table] = {}
    extra: dict[str, Any] = {}
    if by == "product":
        ranking = sales.product_ranking(period, scope, limit=TOP)
        tables["top"] = Table(gettext("Top %(n)s products by revenue") % {"n": TOP}, cols, ranking["top"])
        tables["bottom"] = Table(
            gettext("Bottom %(n)s products by revenue") % {"n": TOP}, cols, ranking["bottom"]
        )
        rows = ranking["top"]
    else:
        found = sales.slots(period, scope) if by == "hour" else []  # the rows and the heatmap: one read
        if by == "hour":
            rows = sales.slot_rows(found, "hour")
            sales.label(rows, "hour")
        else:
            rows = sales.sales_rows(period, scope, group_by)
        if by == "category":
            for row in rows:
                row["label"] = "\u2003" * row["depth"] + row["label"]
        tables["main"] = Table(title, cols, rows, total=_total(rows, by))
    if by == "hour":
        matrix = sales.hour_weekday_matrix(period, scope, found=found)
        chart = charts.heatmap(
            matrix, title=gettext("Goods sold TTC by weekday and hour"),
            rows=[str(day)[:3] for day in sales.WEEKDAYS], columns=[f"{h}" for h in range(24)],
        )  # fmt: skip
    elif by == "store":
        series = sales.sales_rows(period, scope, "day")
        last_year = sales.sales_rows(period.last_year(), scope, "day")
        before = {row["key"]: row["revenue_ttc"] for row in last_year}
        this = {row["key"]: row["revenue_ttc"] for row in series}
        dates, old = period.dates(), period.last_year().dates()
        chart = charts.line_chart(
            [(day.strftime("%d/%m"), this.get(day, 0)) for day in dates],
            compare=[before.get(day, 0) for day in old[: len(dates)]],
            title=gettext("Revenue TTC per day, and last year"),
            series_label=gettext("This period"), compare_label=gettext("Last year"),
        )  # fmt: skip
        extra["bars"] = charts.bar_chart(
            [(row["label"], row["revenue_ttc"]) for row in rows], title=gettext("Revenue TTC by store")
        )
    elif by == "category":
        chart = charts.bar_chart(
            [(row["label"].strip(), row["revenue_ttc"]) for row in rows if row["depth"] == 0],
            title=gettext("Revenue TTC by top-level category"),
        )
    elif by == "payment":
        chart = charts.bar_chart([(row["label"], row["revenue_ttc"]) for row in rows], title=title)
    else:
        chart = charts.bar_chart(
            [(row["label"], row["revenue_ttc"]) for row in rows[:TOP]],
            title=gettext("Revenue TTC: %(title)s") % {"title": title},
        )
    if by == "coupon":
        extra["uplift"] = sales.coupon_uplift(period, scope)
    return {"tables": tables, "chart": chart, **extra}


@dashboard_page
def sales_page(request: HttpRequest, scope: Scope) -> HttpResponse:
    period = parse_period(request.GET)
    by = request.GET.get("by", "store")
    if by not in TABS:
        by = "store"
    built = build(period, scope, by)
    file_format = request.GET.get("export")
    if file_format in EXPORT_FORMATS:
        table_id = request.GET.get("table", "")
        table = built["tables"].get(table_id) or next(iter(built["tables"].values()))
        return export_response(table, f"sales-{by}-{period.start}-{period.end}", file_format)
    tabs = [(key, label) for key, (label, _group) in TABS.items()]
    return render(
        request,
        "reporting/sales.html",
        page_context(period, scope, by=by, tabs=tabs, shop_filter=True, **built),
    )
