"""``?export=csv|xlsx&table=<id>`` on a page with several tables: which table, in which format."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from .periods import Period
from .tables import EXPORT_FORMATS, Table, export_response


def export_if_asked(
    request: HttpRequest, tables: dict[str, Table], name: str, period: Period
) -> HttpResponse | None:
    """The export the query string asks for (``table`` defaults to the first), a 400 naming a bad
    ``export`` or ``table``, or None when no export is asked."""
    file_format = request.GET.get("export")
    if file_format is None:
        return None
    if file_format not in EXPORT_FORMATS:
        return HttpResponseBadRequest("export: csv or xlsx.", content_type="text/plain; charset=utf-8")
    key = request.GET.get("table") or next(iter(tables))
    if key not in tables:
        text = f"table: one of {', '.join(tables)}."
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
    return export_response(tables[key], f"{name}-{key}-{period.start}-{period.end}", file_format)
