"""The overview page: the period's key figures beside the previous period and last year, the days
of the period (exportable), and, when the period includes today, live updates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import charts
from .access import Scope
from .pages import dashboard_page, page_context
from .periods import parse_period
from .selectors.overview import Overview
from .selectors.overview import overview as overview_of
from .tables import EXPORT_FORMATS, Column, Table, export_response

# (figure, label, kind, True when a rise is good news)
KPIS: list[tuple[str, Any, str, bool]] = [
    ("revenue_ttc", _("Revenue incl. VAT"), "money", True),
    ("revenue_ht", _("Revenue excl. VAT"), "money", True),
    ("orders", _("Orders"), "int", True),
    ("average_basket", _("Average basket"), "money", True),
    ("units_per_basket", _("Units per basket"), "decimal", True),
    ("margin_ht", _("Margin excl. VAT"), "money", True),
    ("margin_rate", _("Margin rate"), "percent", True),
    ("returns_rate", _("Returns rate"), "percent", False),
    ("refunds_ttc", _("Refunds"), "money", False),
    ("discount_ttc", _("Discounts given"), "money", False),
    ("click_collect_share", _("Click & collect share"), "percent", True),
    ("pickup_hours", _("Pick-up delay (hours)"), "decimal", False),
    ("identified_share", _("Identified customers"), "percent", True),
]

COMPARISONS = (("previous", _("vs previous period")), ("last_year", _("vs last year")))


def kpi_cards(data: Overview) -> list[dict[str, Any]]:
    cards = []
    for name, label, kind, rise_is_good in KPIS:
        changes = []
        for against, against_label in (
            ("previous", _("vs previous period")),
            ("last_year", _("vs last year")),
        ):
            change = data.change(name, against)
            tone = "flat"
            if change is not None and change != 0:
                tone = "good" if (change > 0) == rise_is_good else "bad"
            changes.append({"label": against_label, "value": change, "tone": tone})
        cards.append({"name": name, "label": label, "kind": kind, "value": getattr(data.current, name),
                      "changes": changes})  # fmt: skip
    return cards


MONTHLY_AFTER_DAYS = 62  # a longer period's table is by month (a year of days is a 13,000-pixel page)


def days_table(data: Overview) -> Table:
    monthly = len(data.days) > MONTHLY_AFTER_DAYS
    rows = _by_month(data.days) if monthly else data.days
    return Table(
        title=str(_("Month by month") if monthly else _("Day by day")),
        columns=[
            Column("day", str(_("Month") if monthly else _("Day")), "text" if monthly else "date"),
            Column("orders", str(_("Orders")), "int"),
            Column("revenue_ttc", str(_("Revenue incl. VAT")), "money"),
            Column("last_year_revenue_ttc", str(_("Same dates last year")), "money"),
        ],
        rows=rows,
        total={
            "day": str(_("Total")),
            "orders": sum(row["orders"] for row in data.days),
            "revenue_ttc": sum((row["revenue_ttc"] for row in data.days), Decimal("0")),
            "last_year_revenue_ttc": sum((row["last_year_revenue_ttc"] for row in data.days), Decimal("0")),
        },
    )


def _by_month(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    months: dict[str, dict[str, Any]] = {}
    for row in days:
        key = row["day"].strftime("%Y-%m")
        month = months.setdefault(
            key, {"day": key, "orders": 0, "revenue_ttc": Decimal("0"), "last_year_revenue_ttc": Decimal("0")}
        )
        month["orders"] += row["orders"]
        month["revenue_ttc"] += row["revenue_ttc"]
        month["last_year_revenue_ttc"] += row["last_year_revenue_ttc"]
    return list(months.values())


def revenue_chart(data: Overview) -> str:
    """Revenue TTC per day of the period, and the same dates last year, dashed (server-side SVG)."""
    if len(data.days) < 2:
        return ""
    return charts.line_chart(
        [(row["day"].strftime("%d/%m"), row["revenue_ttc"]) for row in data.days],
        compare=[row["last_year_revenue_ttc"] for row in data.days],
        title=str(_("Revenue incl. VAT per day, and last year")),
        series_label=str(_("This period")),
        compare_label=str(_("Last year")),
    )


@dashboard_page
def overview(request: HttpRequest, scope: Scope) -> HttpResponse:
    period = parse_period(request.GET)
    data = overview_of(period, scope)
    table = days_table(data)
    export = request.GET.get("export")
    if export in EXPORT_FORMATS:
        return export_response(table, f"overview-{period.start}-{period.end}", export)
    context = page_context(
        period,
        scope,
        data=data,
        cards=kpi_cards(data),
        table=table,
        chart=revenue_chart(data),
        live=period.end >= timezone.localdate(),
        shop_filter=True,
    )
    partial = request.GET.get("partial") == "kpis"  # the live refresh: the figures and the days only
    template = "reporting/_overview_body.html" if partial else "reporting/overview.html"
    return render(request, template, context)
