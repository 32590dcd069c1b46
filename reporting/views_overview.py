"""The overview page: the period's key figures beside the previous period and last year."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import Scope
from .pages import dashboard_page, page_context
from .periods import parse_period


@dashboard_page
def overview(request: HttpRequest, scope: Scope) -> HttpResponse:
    period = parse_period(request.GET)
    return render(request, "reporting/overview.html", page_context(period, scope))
