"""The conversion page: storefront visits and the funnel, per day, device and language (managers only:
store managers get 403, the web shop is not a store's)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from .access import Scope
from .pages import dashboard_page, page_context
from .periods import parse_period
from .selectors import conversion as selectors
from .tables import EXPORT_FORMATS, export_response


@dashboard_page
def conversion(request: HttpRequest, scope: Scope) -> HttpResponse:
    period = parse_period(request.GET)
    try:
        data = selectors.conversion(period, scope)
    except selectors.ConversionForbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc
    tables = selectors.tables(data)
    export = request.GET.get("export")
    if export:
        name = request.GET.get("table", "days")
        if export not in EXPORT_FORMATS or name not in tables:
            return HttpResponseBadRequest("Unknown export.", content_type="text/plain; charset=utf-8")
        return export_response(tables[name], f"conversion-{name}-{period.start}-{period.end}", export)
    return render(
        request,
        "reporting/conversion.html",
        page_context(period, scope, data=data, funnel=data.funnel(), tables=tables),
    )
