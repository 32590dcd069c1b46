"""Where the site may send a browser back to: the one rule for return, cancel and ``next`` URLs.

A URL is safe when it stays on this site (a path, or an absolute URL on the request's own host)
or goes to a host listed in ``settings.PAYMENTS_RETURN_URL_HOSTS`` (a partner front end). Django's
``url_has_allowed_host_and_scheme`` does the parsing, so ``//evil.example``, ``https:evil.example``,
``\\\\evil.example``, ``javascript:`` and control characters are refused the way Django's own login
view refuses them. Used by the checkout (API and pages) and the payment return/cancel views.

``next=`` on the sign-in, sign-out, sign-up, till sign-in and language views is checked by Django's
own views (or ``url_has_allowed_host_and_scheme`` in ours) against the request's host alone, with no
allowlist: tests/storefront/test_next_redirects.py.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

MAX_URL_LENGTH = 900


def allowed_hosts(*, host: str | None) -> set[str]:
    """The request's host (``shop.example:8443`` as the browser sent it) plus the allowlist."""
    hosts = {h.strip().lower() for h in settings.PAYMENTS_RETURN_URL_HOSTS if h.strip()}
    if host:
        hosts.add(host.lower())
    return hosts


def is_safe_url(url: object, *, host: str | None, require_https: bool = False) -> bool:
    """True when ``url`` (a path, or http(s) on ``host`` or an allowlisted host) may be redirected to.

    ``host`` is the request's host (``request.get_host()``), or None when there is no request: then
    only paths and allowlisted hosts pass. ``{number}`` placeholders are allowed (checkout templates).
    """
    if not isinstance(url, str) or not 0 < len(url) <= MAX_URL_LENGTH:
        return False
    if url.strip() != url or not (url.startswith("/") or url.lower().startswith(("http://", "https://"))):
        return False  # a relative path ("checkout"), "https:evil", "\\evil", "javascript:", spaces
    # Host names are case-insensitive (browsers lower-case them): compare lower-cased.
    return url_has_allowed_host_and_scheme(
        url.lower(), allowed_hosts=allowed_hosts(host=host), require_https=require_https
    )


def safe_redirect_url(url: object, *, request: HttpRequest, fallback: str) -> str:
    """``url`` when it is safe for this request (the rule the checkout applied: ``is_safe_url``), else
    ``fallback``."""
    if isinstance(url, str) and is_safe_url(url, host=request.get_host()):
        return url
    return fallback
