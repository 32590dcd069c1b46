"""Storefront conversion: visits, visitors and the funnel product view -> add to cart -> checkout -> paid.

Reads ``marketing.TrafficDay`` (counted by ``marketing.traffic`` on the server, no tracker, no cookie
of ours; flushed from the cache every minute). Three GROUP BY queries over at most
days x devices x languages x steps rows, whatever the traffic.

- **sessions**: visits (30 minutes without a page end one); **visitors**: distinct per day (a
  visitor coming back another day counts again; summed over a period, visitors are visitor-days);
- the funnel counts **sessions that reached each step** (a visit that viewed ten products counts
  once at "product view"); ``product_views`` and ``cart_adds`` are the raw counts;
- **paid orders**: storefront orders paid on the day, under the device and language of the visit
  that placed them;
- rates: step over the step before (``None`` when the step before is 0); ``conversion`` is paid
  orders over sessions.

The storefront is the chain's web shop: only managers (``Scope.chain``) see it; store managers get
403 (``ConversionForbidden``): no store's figures exist here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from marketing.traffic import Device, Step, TrafficDay

from ..access import ReportForbidden, Scope
from ..db import read_alias
from ..periods import Period
from ..tables import Column, Table

FIGURES = (
    "sessions",
    "visitors",
    "page_views",
    "product_views",
    "product_sessions",
    "cart_adds",
    "cart_sessions",
    "checkout_sessions",
    "paid_orders",
)
RATES = {  # rate: (numerator, denominator)
    "view_to_cart": ("cart_sessions", "product_sessions"),
    "cart_to_checkout": ("checkout_sessions", "cart_sessions"),
    "checkout_to_paid": ("paid_orders", "checkout_sessions"),
    "conversion": ("paid_orders", "sessions"),
}
# (step, measure) in TrafficDay -> figure
SOURCES = {
    (Step.VISIT, "sessions"): "sessions",
    (Step.VISIT, "visitors"): "visitors",
    (Step.VISIT, "events"): "page_views",
    (Step.PRODUCT, "events"): "product_views",
    (Step.PRODUCT, "sessions"): "product_sessions",
    (Step.CART, "events"): "cart_adds",
    (Step.CART, "sessions"): "cart_sessions",
    (Step.CHECKOUT, "sessions"): "checkout_sessions",
    (Step.PAID, "events"): "paid_orders",
}
RATE_PLACES = Decimal("0.0001")
MAX_DAY_ROWS = 92  # a longer period's page table is per month (the API and ``days`` stay per day)


class ConversionForbidden(ReportForbidden):
    code = "reports_forbidden"
    default_message = "Conversion is the web shop's: only managers see it, not a store's manager."


def check_scope(scope: Scope) -> None:
    if not scope.chain:
        raise ConversionForbidden()
    scope.require_all_shops()  # the traffic counts are not per shop


def rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


def with_rates(figures: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = dict(figures)
    for name, (num, den) in RATES.items():
        out[name] = rate(figures[num], figures[den])
    return out


def _empty() -> dict[str, int]:
    return dict.fromkeys(FIGURES, 0)


def _grouped(period: Period, by: str) -> dict[Any, dict[str, int]]:
    rows = (
        TrafficDay.objects.using(read_alias())
        .filter(day__gte=period.start, day__lte=period.end)
        .values(by, "step")
        .annotate(events=Sum("events"), sessions=Sum("sessions"), visitors=Sum("visitors"))
        .order_by()
    )
    out: dict[Any, dict[str, int]] = defaultdict(_empty)
    for row in rows:
        for measure in ("events", "sessions", "visitors"):
            figure = SOURCES.get((row["step"], measure))
            if figure is not None:
                out[row[by]][figure] += row[measure] or 0
    return out


@dataclass
class Conversion:
    period: Period
    days: list[dict[str, Any]]  # one per day of the period (zeros included), with rates
    total: dict[str, Any]
    devices: list[dict[str, Any]]
    languages: list[dict[str, Any]]

    def months(self) -> list[dict[str, Any]]:
        """The days summed per calendar month (first day of the month in ``day``)."""
        sums: dict[dt.date, dict[str, int]] = {}
        for row in self.days:
            month = sums.setdefault(row["day"].replace(day=1), _empty())
            for key in FIGURES:
                month[key] += row[key]
        return [{"day": month, **with_rates(figures)} for month, figures in sums.items()]

    def funnel(self) -> list[dict[str, Any]]:
        """The steps with their sessions and their share of the first step (for ``<meter>``)."""
        top = self.total["product_sessions"]
        steps = [
            ("product_sessions", _("Viewed a product")),
            ("cart_sessions", _("Added to cart")),
            ("checkout_sessions", _("Started checkout")),
            ("paid_orders", _("Paid")),
        ]
        return [
            {"key": key, "label": label, "count": self.total[key], "share": rate(self.total[key], top) or 0}
            for key, label in steps
        ]


def conversion(period: Period, scope: Scope) -> Conversion:
    check_scope(scope)
    by_day = _grouped(period, "day")
    days = [{"day": day, **with_rates(by_day.get(day, _empty()))} for day in period.dates()]
    total = _empty()
    for figures in by_day.values():
        for key in FIGURES:
            total[key] += figures[key]
    by_device = _grouped(period, "device")
    devices = [
        {"device": str(label), "code": code, **with_rates(by_device.get(code, _empty()))}
        for code, label in Device.choices
    ]
    by_language = _grouped(period, "language")
    languages = [{"language": code, **with_rates(figures)} for code, figures in sorted(by_language.items())]
    return Conversion(period=period, days=days, total=with_rates(total), devices=devices, languages=languages)


# --- tables -------------------------------------------------------------------------------------

FIGURE_COLUMNS: list[tuple[str, Any, str]] = [  # key, label (translated per request), kind
    ("sessions", _("Sessions"), "int"),
    ("visitors", _("Visitors"), "int"),
    ("page_views", _("Page views"), "int"),
    ("product_views", _("Product views"), "int"),
    ("product_sessions", _("Sessions viewing a product"), "int"),
    ("cart_sessions", _("Sessions adding to cart"), "int"),
    ("checkout_sessions", _("Sessions at checkout"), "int"),
    ("paid_orders", _("Paid orders"), "int"),
    ("view_to_cart", _("View → cart"), "percent"),
    ("cart_to_checkout", _("Cart → checkout"), "percent"),
    ("checkout_to_paid", _("Checkout → paid"), "percent"),
    ("conversion", _("Conversion"), "percent"),
]


def _columns(first: tuple[str, Any, str]) -> list[Column]:
    """Labels translated now (the request's language): an XLSX cell takes a str, not a lazy string."""
    return [Column(key, str(label), kind) for key, label, kind in (first, *FIGURE_COLUMNS)]


def tables(data: Conversion) -> dict[str, Table]:
    """The page's tables; ``days`` is per month when the period is longer than ``MAX_DAY_ROWS`` days
    (a year of days is 365 rows: unreadable, and slow to render)."""
    per_day = data.period.days <= MAX_DAY_ROWS
    return {
        "days": Table(
            title=str(_("Per day") if per_day else _("Per month")),
            columns=_columns(("day", _("Day") if per_day else _("Month"), "date")),
            rows=data.days if per_day else data.months(),
            total={"day": str(_("Total")), **data.total},
        ),
        "devices": Table(
            title=str(_("Per device")),
            columns=_columns(("device", _("Device"), "text")),
            rows=data.devices,
            total={"device": str(_("Total")), **data.total},
        ),
        "languages": Table(
            title=str(_("Per language")),
            columns=_columns(("language", _("Language"), "text")),
            rows=data.languages,
            total={"language": str(_("Total")), **data.total},
        ),
    }


def as_json(data: Conversion) -> dict[str, Any]:
    def clean(row: dict[str, Any]) -> dict[str, Any]:
        return {
            k: (str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in row.items()
        }

    return {
        "date_from": data.period.start.isoformat(),
        "date_to": data.period.end.isoformat(),
        "total": clean(data.total),
        "days": [clean(row) for row in data.days],
        "devices": [
            clean({k: v for k, v in row.items() if k not in ("device", "code")} | {"device": row["code"]})
            for row in data.devices
        ],
        "languages": [clean(row) for row in data.languages],
    }
