"""The stock page: value at cost, cover, rotation, dead stock, stock-outs, transfer suggestions
(``reporting.selectors.stock``); each table exports to CSV and XLSX."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from .access import Scope
from .exports import export_if_asked
from .pages import dashboard_page, page_context
from .periods import parse_period
from .selectors.params import BadParameter
from .selectors.stock import stock_params, stock_report


def bad_parameter(exc: BadParameter) -> HttpResponse:
    problems = "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in exc.detail.items())
    return HttpResponseBadRequest(f"{exc.message} {problems}", content_type="text/plain; charset=utf-8")


@dashboard_page
def stock(request: HttpRequest, scope: Scope) -> HttpResponse:
    period = parse_period(request.GET)
    try:
        params = stock_params(request.GET)
    except BadParameter as exc:
        return bad_parameter(exc)
    report = stock_report(scope=scope, period=period, params=params)
    exported = export_if_asked(request, report.tables(), "stock", period)
    if exported is not None:
        return exported
    return render(request, "reporting/stock.html", page_context(period, scope, report=report))
