"""Storefront traffic, counted on the server (``marketing.traffic``): no tracker, no cookie of ours.

Once a response is ready, a storefront HTML page shown (GET, 200) counts a page view, and what the
view noted (``marketing.traffic.note_step``: product view, add to cart, checkout) counts too, even on
a redirect. A cached product page still runs its view, so it counts. No database write: a few cache
operations, flushed to the database every minute by beat.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from marketing import traffic


def _is_storefront_page(request: HttpRequest, response: HttpResponse) -> bool:
    match = request.resolver_match
    return (
        request.method == "GET"
        and response.status_code == 200
        and match is not None
        and match.func.__module__.startswith("storefront.views.")
        and response.get("Content-Type", "").startswith("text/html")
    )


class TrafficMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        traffic.count_request(request, page_view=_is_storefront_page(request, response))
        return response
