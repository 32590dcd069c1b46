"""Storefront traffic, counted on the server (``marketing.traffic``): no tracker, no cookie of ours.

Once a response is ready, a storefront HTML page shown (GET, 200) counts a page view, and what the
view noted (``marketing.traffic.note_step``: product view, add to cart, checkout) counts too, even on
a redirect. A cached product page still runs its view, so it counts. No database write: a few cache
operations, flushed to the database every minute by beat.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, ResolverMatch, resolve, reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from marketing import traffic

from . import cache as page_cache
from . import cart_session


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


class FullPageCacheMiddleware:
    """Whole anonymous storefront pages from the cache (``storefront.cache.FullPage``), without the view.

    Last in ``MIDDLEWARE``: every other middleware still runs (session, language, CSRF cookie, the
    traffic counts, security headers, CSP); only the view, its queries and its templates are skipped.

    A request is served from it when it is a GET or HEAD of the home, a category, a search or a
    product page, or of the blog (its list, an article, a simple page, the RSS feed), by a visitor
    who is not signed in and has no message waiting. The key is the shop (``shops``), the URL (scheme,
    host, path and query), the language and the session's currency. The entry is used only if the
    versions it was built at are still current (``storefront.cache``: the same versions, bumped by the
    same events, as the page cache; the blog's ``content`` version by ``content.changed``), so a sale,
    a price change or an edited article shows at once.

    Per visitor, put back into the stored bytes: the CSRF token of the forms (this request's own,
    so the forms work without JavaScript); and, when the session holds a cart, the badge gets
    ``data-cart-url``, from which ``core/page.js`` fetches the count (the stored page shows 0).

    Headers: ``Cache-Control: private, no-cache`` with a weak ``ETag`` and ``Vary: Cookie``. The
    body carries the visitor's CSRF token, so no shared cache may keep it; browsers revalidate and
    get a 304 while the page is unchanged (their copy's token stays valid with their CSRF cookie).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        target = _cacheable_target(request)
        if target is None:
            return self.get_response(request)
        match, visitor = target
        key = page_cache.full_key(
            scheme=request.scheme or "http",
            host=request.get_host(),
            path=request.get_full_path(),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            currency=visitor.currency,
            shop=page_cache.shop_key(),
        )
        page = page_cache.get_full(key)
        if page is not None:
            return _serve(request, match, visitor, page)
        response = self.get_response(request)
        built = getattr(request, "_fullpage", None)
        if request.method == "GET" and built is not None and _storable(request, response):
            page = page_cache.FullPage(
                body=page_cache.neutral_body(response.content),
                content_type=response["Content-Type"],
                **built,
            )
            page_cache.set_full(key, page)
            _validators(response, page)
            response["X-Page-Cache"] = "miss"
        return response


class _Visitor:
    __slots__ = ("currency", "has_cart")

    def __init__(self, currency: str, has_cart: bool) -> None:
        self.currency = currency
        self.has_cart = has_cart


_CACHEABLE_VIEWS = ("home", "category", "search", "product")
_CACHEABLE_BLOG = ("blog:index", "blog:article", "blog:page", "blog:feed")
_CACHEABLE_TYPES = ("text/html", "application/rss+xml")


def _cacheable_target(request: HttpRequest) -> tuple[ResolverMatch, _Visitor] | None:
    if request.method not in ("GET", "HEAD") or not settings.STOREFRONT_PAGE_CACHE:
        return None
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    catalog = match.func.__module__ == "storefront.views.catalog" and match.func.__name__ in _CACHEABLE_VIEWS
    if not catalog and match.view_name not in _CACHEABLE_BLOG:
        return None
    if request.COOKIES.get(CookieStorage.cookie_name):  # a message waits (an emptied cookie is "")
        return None
    session = getattr(request, "session", None)
    if session is None:
        return None
    if SESSION_KEY in session or "_messages" in session:  # signed in, or a message to show
        return None
    return match, _Visitor(
        currency=cart_session.get_currency(request), has_cart=bool(session.get(cart_session.SESSION_KEY))
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.has_header("Cache-Control"):
        return False
    if not response.get("Content-Type", "").startswith(_CACHEABLE_TYPES):
        return False
    storage = getattr(request, "_messages", None)  # a message shown on this page is this visitor's
    return not (storage is not None and (storage.used or storage._queued_messages))


def _validators(response: HttpResponse, page: page_cache.FullPage) -> None:
    response["ETag"] = page.etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])


def _serve(
    request: HttpRequest, match: ResolverMatch, visitor: _Visitor, page: page_cache.FullPage
) -> HttpResponse:
    request.resolver_match = match  # for TrafficMiddleware's page view
    if page.kind == "product" and page.product_id is not None:
        traffic.note_step(request, traffic.Step.PRODUCT, product_id=page.product_id, sold_out=page.sold_out)
    not_modified = get_conditional_response(request, etag=page.etag)
    if not_modified is not None:
        response: HttpResponse = not_modified
    else:
        body = page.body.replace(page_cache.CSRF_PLACEHOLDER, get_token(request).encode())
        if visitor.has_cart:
            url = reverse("orders:cart-count")
            body = body.replace(b"data-cart-count", f'data-cart-count data-cart-url="{url}"'.encode(), 1)
        response = HttpResponse(body, content_type=page.content_type)
    _validators(response, page)
    response["X-Page-Cache"] = "hit"
    return response
