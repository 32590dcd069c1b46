"""The customers page: new and returning customers, cohorts, loyalty tiers and points
(``reporting.selectors.customers``); each table exports to CSV and XLSX."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import Scope
from .exports import export_if_asked
from .pages import dashboard_page, page_context
from .periods import parse_period
from .selectors.customers import customers_report


@dashboard_page
def customers(request: HttpRequest, scope: Scope) -> HttpResponse:
    period = parse_period(request.GET)
    report = customers_report(scope=scope, period=period)
    exported = export_if_asked(request, report.tables(), "customers", period)
    if exported is not None:
        return exported
    return render(request, "reporting/customers.html", page_context(period, scope, report=report))
