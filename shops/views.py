"""The shop's design-token overrides as a stylesheet: ``:root{--brand:...}`` after the main CSS.

A stylesheet rather than an inline ``<style>``: the Content-Security-Policy allows inline styles
only with the request's nonce, and whole pages are kept in the page cache (a stored nonce would be
stale). The URL carries the overrides' hash (``?v=``), so browsers keep it for a year.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from . import selectors


@require_safe
def tokens_css(request: HttpRequest) -> HttpResponse:
    shop = getattr(request, "shop", None) or selectors.default_shop()
    response = HttpResponse(shop.css, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == shop.css_version:
        patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=60)
    return response
