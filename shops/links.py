"""Absolute URLs on the request's shop's primary host name (canonical, hreflang, sitemap, robots.txt)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.request import split_domain_port


def absolute_url(request: HttpRequest, path: str) -> str:
    """``path`` on the shop's primary host (keeping the request's port: a development server), or on
    the request's host when the shop has none (the default shop without a domain)."""
    shop = getattr(request, "shop", None)
    if shop is None or not shop.primary_host:
        return request.build_absolute_uri(path)
    _name, port = split_domain_port(request.get_host())
    host = f"{shop.primary_host}:{port}" if port else shop.primary_host
    return f"{request.scheme}://{host}{path}"
