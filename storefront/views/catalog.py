"""Storefront pages of the catalog: home, category, search, product, review form, robots.txt.

Thin: parse the query string, call the selectors, render. Anonymous pages are cached (see
``storefront.cache``): the view caches the rendered main part of the page (title, SEO head, content) under
a key carrying the versions of what it shows; the layout around it (header cart count, messages,
language switch) is rendered for each request. The CSRF token of the add-to-cart and review forms
is put in per request (``CSRF_MARK``), so a cached page never hands out another visitor's token.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, translate_url
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.selectors import company_membership_for, customer_group_for
from catalog import services
from catalog.errors import UnknownVariant
from core.auth import signed_in_user
from core.errors import ApplicationError
from inventory.selectors import active_location_codes
from marketing import traffic, wishlist
from orders.selectors import is_verified_buyer
from pricing.errors import UnsupportedCurrency
from pricing.selectors import CURRENCY_CODES
from shops.links import absolute_url

from .. import cache as page_cache
from .. import selectors
from ..forms.review import ReviewForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CSRF_MARK = "__CSRF_TOKEN__"
MAX_QUERY_LENGTH = 200
MAX_FACET_VALUES = 30


def _listing_js() -> str:
    from django.templatetags.static import static

    return f'<script src="{static("catalog/listing.js")}" defer></script>'


class BadFilter(Exception):
    pass


# --- shopper context ------------------------------------------------------------------------------


class Shopper:
    """Who is asking: their currency, their price group, whether their pages may be cached."""

    def __init__(self, request: HttpRequest) -> None:
        session = getattr(request, "session", None)
        currency = session.get("currency") if session is not None else None
        self.currency = currency if currency in CURRENCY_CODES else "EUR"
        self.user = getattr(request, "user", None)
        self.authenticated = bool(self.user is not None and self.user.is_authenticated)
        self.group = customer_group_for(self.user) if self.authenticated else None
        # a company's buyer: its own prices first, its group's when the user has none (issue 17)
        membership = company_membership_for(self.user) if self.authenticated else None
        self.company = membership.company if membership is not None else None
        if self.company is not None and self.group is None:
            self.group = self.company.group
        # prices HT: a company's buyer, a B2B group, or anybody on a B2B shop (``Shop.mode``)
        shop = getattr(request, "shop", None)
        self.is_b2b = (
            self.company is not None
            or bool(self.group is not None and self.group.is_b2b)
            or bool(shop is not None and shop.is_b2b)
        )
        self.language = selectors.current_language()

    @property
    def cacheable(self) -> bool:
        return not self.authenticated

    def prices_kwargs(self) -> dict:
        return {"customer_group": self.group, "company": self.company, "currency": self.currency}


def _currency_fallback(shopper: Shopper) -> None:
    """A currency without a rate (staff removed it) shows EUR rather than failing the page."""
    shopper.currency = "EUR"


def _render_page(request: HttpRequest, page: dict, *, status: int = 200) -> HttpResponse:
    page = dict(page)
    for key in ("content", "seo", "extra_js"):
        html = page.get(key, "")
        if CSRF_MARK in html:
            html = html.replace(CSRF_MARK, escape(get_token(request)))
        page[key] = mark_safe(html)  # noqa: S308 - rendered by our own templates (autoescaped)
    return render(
        request, "storefront/page.html", {"page": page, "query": page.get("query", "")}, status=status
    )


def _cached(request: HttpRequest, shopper: Shopper, *, kind: str, parts: list, build, product_id=None):
    """``build()`` -> page dict, through the page cache when the shopper is anonymous."""
    if not shopper.cacheable or not settings.STOREFRONT_PAGE_CACHE:
        return build()
    dependencies = page_cache.dependencies(product_id)
    versions = page_cache.read_versions(dependencies)
    key = page_cache.page_key(
        kind=kind,
        parts=[shopper.language, shopper.currency, request.get_host(), *parts],
        versions=versions,
    )
    page = page_cache.get_page(key)
    if page is None:
        page = build()
        page_cache.set_page(key, page)
    # What FullPageCacheMiddleware needs to keep the whole response (storefront.middleware).
    request._fullpage = {  # type: ignore[attr-defined]
        "kind": kind,
        "dependencies": dependencies,
        "versions": versions,
        "product_id": product_id,
        "sold_out": bool(page.get("sold_out", False)),
    }
    return page


def _store_whole(request: HttpRequest, shopper: Shopper, *, kind: str, dependencies: list[str]) -> None:
    """Let FullPageCacheMiddleware keep this anonymous response whole (a page that does not go through
    ``_cached``), valid while ``dependencies`` keep the versions read now, before it is built."""
    if not shopper.cacheable or not settings.STOREFRONT_PAGE_CACHE:
        return
    request._fullpage = {  # type: ignore[attr-defined]
        "kind": kind,
        "dependencies": dependencies,
        "versions": page_cache.read_versions(dependencies),
        "product_id": None,
        "sold_out": False,
    }


def _alternates(request: HttpRequest, *, keep_query: str = "") -> dict:
    """Canonical URL and hreflang alternates (the shop's languages and x-default) of the current page,
    on the shop's primary host name."""
    path = request.path
    suffix = f"?{keep_query}" if keep_query else ""
    shop = getattr(request, "shop", None)
    languages = list(shop.languages) if shop is not None else [code for code, _name in settings.LANGUAGES]
    default_language = shop.default_language if shop is not None else settings.LANGUAGE_CODE
    alternates = []
    for code in languages:
        alternates.append((code, absolute_url(request, translate_url(path, code)) + suffix))
    default = absolute_url(request, translate_url(path, default_language)) + suffix
    return {
        "canonical": absolute_url(request, path) + suffix,
        "alternates": alternates,
        "x_default": default,
    }


def _json_ld(data) -> str:
    """JSON for a <script type="application/ld+json">, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- home -------------------------------------------------------------------------------------------


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    shopper = Shopper(request)

    def build() -> dict:
        try:
            products = selectors.home_products(**shopper.prices_kwargs())
        except UnsupportedCurrency:
            _currency_fallback(shopper)
            products = selectors.home_products(**shopper.prices_kwargs())
        tree = selectors.category_tree()
        roots = selectors.top_categories()  # the shop's own when it chose some
        ctx = {
            "top_categories": [(root, tree.children(root.id)[:6]) for root in roots],
            "new_products": products["new"],
            "featured_products": products["featured"],
            "shopper": shopper,
            "seo": _alternates(request),
        }
        return {
            "title": _("Boutiques in Corsica: clothing, shoes, local food and gifts"),
            "meta_description": _(
                "Clothing, shoes, local food and gifts from our four boutiques, "
                "delivered or ready to collect."
            ),
            "seo": render_to_string("storefront/_seo_home.html", ctx, request=request),
            "content": render_to_string("storefront/home.html", ctx, request=request),
            "body_class": "page-home",
        }

    return _render_page(request, _cached(request, shopper, kind="home", parts=[], build=build))


# --- category and search ----------------------------------------------------------------------------


def _parse_filters(request: HttpRequest, *, default_sort: str) -> selectors.ListingFilters:
    get = request.GET
    sizes = tuple(dict.fromkeys(v for v in get.getlist("size") if v))
    colors = tuple(dict.fromkeys(v for v in get.getlist("color") if v))
    if len(sizes) > MAX_FACET_VALUES or len(colors) > MAX_FACET_VALUES:
        raise BadFilter(_("Too many sizes or colours chosen."))

    def price(name: str) -> Decimal | None:
        raw = get.get(name, "").strip().replace(",", ".")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise BadFilter(_("The price “%(value)s” is not a number.") % {"value": raw[:20]}) from None
        if not value.is_finite() or value < 0 or value > Decimal("1000000"):
            raise BadFilter(_("A price must be between 0 and 1,000,000."))
        return value

    min_price, max_price = price("min_price"), price("max_price")
    if min_price is not None and max_price is not None and min_price > max_price:
        raise BadFilter(_("The lowest price is above the highest price."))
    sort = get.get("sort", "") or default_sort
    if sort not in selectors.SORTS:
        raise BadFilter(_("Unknown sort order “%(value)s”.") % {"value": sort[:20]})
    raw_page = get.get("page", "1") or "1"
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= 100000:
        raise BadFilter(_("The page number must be a whole number from 1."))
    store = get.get("store", "").strip()
    if store and store not in active_location_codes():
        raise BadFilter(_("Unknown store “%(value)s”.") % {"value": store[:20]})
    return selectors.ListingFilters(
        sizes=sizes,
        colors=colors,
        min_price=min_price,
        max_price=max_price,
        store=store,
        sort=sort,
        page=int(raw_page),
    )


def _bad_request(request: HttpRequest, message: StrOrPromise) -> HttpResponse:
    page = {
        "title": _("This page cannot be shown"),
        "meta_description": "",
        "seo": '<meta name="robots" content="noindex">',
        "content": render_to_string("storefront/bad_request.html", {"message": message}, request=request),
    }
    return _render_page(request, page, status=400)


def _query_url(request: HttpRequest, **changes) -> str:
    """The current URL with some GET params changed (None removes, a list sets several values)."""
    params = {key: request.GET.getlist(key) for key in request.GET}
    params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == []:
            params.pop(key, None)
        else:
            params[key] = value if isinstance(value, list) else [value]
    query = urlencode([(k, v) for k, values in params.items() for v in values])
    return f"{request.path}?{query}" if query else request.path


def _facet_links(request: HttpRequest, facets: selectors.Facets | None) -> dict:
    if facets is None:
        return {}

    def toggled(key: str, value) -> str:
        current = request.GET.getlist(key)
        new = [v for v in current if v != value.code] if value.selected else [*current, value.code]
        return _query_url(request, **{key: new})

    return {
        "sizes": [(v, toggled("size", v)) for v in facets.sizes],
        "colors": [(v, toggled("color", v)) for v in facets.colors],
        "stores": [(v, _query_url(request, store=None if v.selected else v.code)) for v in facets.stores],
        "price_min": facets.price_min,
        "price_max": facets.price_max,
    }


def _page_links(request: HttpRequest, listing: selectors.Listing) -> dict:
    def page_url(number: int) -> str:
        base = _query_url(request)
        if number == 1:
            return base
        return f"{base}{'&' if '?' in base else '?'}page={number}"

    return {
        "previous": page_url(listing.page_number - 1) if listing.has_previous else "",
        "next": page_url(listing.page_number + 1) if listing.has_next else "",
    }


def _listing_parts(request: HttpRequest) -> list:
    return sorted((k, tuple(request.GET.getlist(k))) for k in request.GET)


@require_safe
def category(request: HttpRequest, slug: str) -> HttpResponse:
    shopper = Shopper(request)
    node = selectors.category_tree().get(slug)
    if node is None or not selectors.category_in_shop(node):
        return _not_found(request)
    try:
        filters = _parse_filters(request, default_sort="name")
    except BadFilter as exc:
        return _bad_request(request, str(exc))

    def build() -> dict:
        try:
            result = selectors.listing(filters=filters, category=node, **shopper.prices_kwargs())
        except UnsupportedCurrency:
            _currency_fallback(shopper)
            result = selectors.listing(filters=filters, category=node, **shopper.prices_kwargs())
        tree = selectors.category_tree()
        filtered = any(k in request.GET for k in ("size", "color", "min_price", "max_price", "store", "sort"))
        keep = f"page={result.page_number}" if result.page_number > 1 and not filtered else ""
        ctx = {
            "category": node,
            "breadcrumbs": tree.ancestors(node.id),
            "children": tree.children(node.id),
            "listing": result,
            "facets": _facet_links(request, result.facets),
            "filters": filters,
            "pages": _page_links(request, result),
            "sort_options": _sort_options(include_relevance=False),
            "shopper": shopper,
            "seo": _alternates(request, keep_query=keep),
            "noindex": filtered,
            "clear_url": request.path,
            "hidden_params": _hidden_params(request, exclude={"sort", "min_price", "max_price", "page"}),
        }
        title = node.seo_title or node.name
        return {
            "title": title,
            "meta_description": node.seo_description
            or _("%(category)s: %(count)s products in our boutiques and online.")
            % {"category": node.name, "count": result.count},
            "seo": render_to_string("storefront/_seo_listing.html", ctx, request=request),
            "content": render_to_string("storefront/category.html", ctx, request=request),
            "body_class": "page-category",
            "extra_js": _listing_js(),
        }

    page = _cached(request, shopper, kind="category", parts=[slug, *_listing_parts(request)], build=build)
    return _render_page(request, page)


def _hidden_params(request: HttpRequest, *, exclude: set[str]) -> list[tuple[str, str]]:
    return [(k, v) for k in request.GET if k not in exclude for v in request.GET.getlist(k)]


def _sort_options(*, include_relevance: bool) -> list[tuple[str, str]]:
    options = [
        ("name", _("Name")),
        ("price_asc", _("Price: low to high")),
        ("price_desc", _("Price: high to low")),
        ("newest", _("Newest")),
    ]
    if include_relevance:
        options.insert(0, ("relevance", _("Relevance")))
    return options


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    shopper = Shopper(request)
    query = request.GET.get("q", "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        return _bad_request(request, _("Search for at most %(n)s characters.") % {"n": MAX_QUERY_LENGTH})
    try:
        filters = _parse_filters(request, default_sort="relevance")
    except BadFilter as exc:
        return _bad_request(request, str(exc))

    def build() -> dict:
        result = None
        if query:
            try:
                result = selectors.listing(
                    filters=filters, query=query, with_facets=False, **shopper.prices_kwargs()
                )
            except UnsupportedCurrency:
                _currency_fallback(shopper)
                result = selectors.listing(
                    filters=filters, query=query, with_facets=False, **shopper.prices_kwargs()
                )
        empty = result is not None and result.count == 0
        correction = selectors.did_you_mean(query) if empty else ""
        ctx = {
            "query": query,
            "listing": result,
            "did_you_mean": correction,
            "did_you_mean_url": f"{request.path}?{urlencode({'q': correction})}" if correction else "",
            "popular_categories": selectors.popular_categories() if empty else [],
            "pages": _page_links(request, result) if result else {},
            "filters": filters,
            "sort_options": _sort_options(include_relevance=True),
            "shopper": shopper,
            "hidden_params": _hidden_params(request, exclude={"sort", "page"}),
        }
        title = _("Search: %(query)s") % {"query": query} if query else _("Search")
        return {
            "title": title,
            "meta_description": _("Search our boutiques' catalog."),
            "seo": '<meta name="robots" content="noindex, follow">',
            "content": render_to_string("storefront/search.html", ctx, request=request),
            "body_class": "page-search",
            "extra_js": _listing_js(),
            "query": query,
        }

    page = _cached(request, shopper, kind="search", parts=_listing_parts(request), build=build)
    return _render_page(request, page)


# --- product ----------------------------------------------------------------------------------------


def _not_found(request: HttpRequest) -> HttpResponse:
    page = {
        "title": _("Page not found"),
        "meta_description": "",
        "seo": '<meta name="robots" content="noindex">',
        "content": render_to_string("storefront/not_found.html", {}, request=request),
    }
    return _render_page(request, page, status=404)


def _product_context(request, shopper: Shopper, product, *, sku: str | None, review_form=None) -> dict:
    try:
        data = selectors.product_page(product, sku=sku, **shopper.prices_kwargs())
    except UnsupportedCurrency:
        _currency_fallback(shopper)
        data = selectors.product_page(product, sku=sku, **shopper.prices_kwargs())
    variants_json = {
        v.sku: {
            "options": v.options,
            "gross": f"{v.price.gross:.2f}",
            "net": f"{v.price.net:.2f}",
            "stock": {s.code: s.available for s in v.stock},
        }
        for v in data.variants
    }
    return {
        "data": data,
        "product": product,
        "shopper": shopper,
        "delivery_days": selectors.home_delivery_days(),
        "variants_json": variants_json,
        "selected": data.selected,
        "seo": _alternates(request),
        "review_form": review_form or ReviewForm(),
        "csrf_mark": CSRF_MARK,
        "reserve_hold_hours": settings.E_RESERVATION_HOLD_HOURS,
        "offers_reservation": selectors.offers_reservation(),  # the shop's choice (ShopCheckoutOptions)
        "json_ld": _json_ld(_product_json_ld(request, data, shopper)),
        "breadcrumb_ld": _json_ld(_breadcrumb_json_ld(request, data)),
    }


def _product_json_ld(request, data: selectors.ProductPage, shopper: Shopper) -> dict:
    product = data.product
    url = absolute_url(request, reverse("catalog:product", args=[product.slug]))
    offers = [
        {
            "@type": "Offer",
            "sku": v.sku,
            "price": f"{v.price.gross:.2f}",
            "priceCurrency": shopper.currency,
            "availability": "https://schema.org/InStock" if v.in_stock else "https://schema.org/OutOfStock",
            "url": f"{url}?sku={v.sku}",
        }
        for v in data.variants
    ]
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description,
        "url": url,
        "sku": data.selected.sku if data.selected else "",
        "offers": offers,
    }
    if product.brand:
        ld["brand"] = {"@type": "Brand", "name": product.brand}
    if data.images:
        ld["image"] = [
            request.build_absolute_uri(img.image.url if img.image else img.url) for img in data.images
        ]
    if data.review_count:
        ld["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(data.rating),
            "reviewCount": data.review_count,
            "bestRating": "5",
            "worstRating": "1",
        }
    return ld


def _breadcrumb_json_ld(request, data: selectors.ProductPage) -> dict:
    items = [
        {"name": node.name, "url": absolute_url(request, reverse("catalog:category", args=[node.slug]))}
        for node in data.breadcrumbs
    ]
    items.append(
        {
            "name": data.product.name,
            "url": absolute_url(request, reverse("catalog:product", args=[data.product.slug])),
        }
    )
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": item["name"], "item": item["url"]}
            for i, item in enumerate(items, start=1)
        ],
    }


def _product_page_dict(request, ctx: dict) -> dict:
    product = ctx["product"]
    return {
        "title": product.seo_title or product.name,
        "meta_description": (product.seo_description or product.description or product.name)[:160],
        "seo": render_to_string("storefront/_seo_product.html", ctx, request=request),
        "content": render_to_string("storefront/product.html", ctx, request=request),
        "extra_js": render_to_string("storefront/_product_js.html", ctx, request=request),
        "body_class": "page-product",
        "sold_out": not any(v.in_stock for v in ctx["data"].variants),  # for the traffic counts
    }


@require_safe
def product(request: HttpRequest, slug: str) -> HttpResponse:
    shopper = Shopper(request)
    found = selectors.product_by_slug(slug)
    if found is None:
        return _not_found(request)
    sku = request.GET.get("sku", "").strip() or None
    if sku is not None and len(sku) > 64:
        return _bad_request(request, _("Unknown variant."))

    def build() -> dict:
        ctx = _product_context(request, shopper, found, sku=sku)
        if sku is not None and (ctx["selected"] is None or ctx["selected"].sku != sku):
            raise UnknownVariant(_("This product has no variant “%(sku)s”.") % {"sku": sku})
        if shopper.authenticated:
            ctx["can_review"] = is_verified_buyer(user=shopper.user, product=found)
            ctx["wished"] = bool(wishlist.wished_product_ids(signed_in_user(request.user), [found.pk]))
        return _product_page_dict(request, ctx)

    try:
        page = _cached(request, shopper, kind="product", parts=[slug, sku], build=build, product_id=found.pk)
    except UnknownVariant as exc:
        return _bad_request(request, exc.message)
    traffic.note_step(
        request, traffic.Step.PRODUCT, product_id=found.pk, sold_out=page.get("sold_out", False)
    )
    return _render_page(request, page)


@login_required
@require_POST
def review_submit(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.product_by_slug(slug)
    if found is None:
        return _not_found(request)
    form = ReviewForm(request.POST)
    url = reverse("catalog:product", args=[found.slug])
    if not form.is_valid():
        shopper = Shopper(request)
        ctx = _product_context(request, shopper, found, sku=None, review_form=form)
        ctx["can_review"] = is_verified_buyer(user=request.user, product=found)
        return _render_page(request, _product_page_dict(request, ctx), status=400)
    try:
        services.submit_review(
            product=found,
            user=request.user,
            rating=form.cleaned_data["rating"],
            title=form.cleaned_data["title"],
            text=form.cleaned_data["text"],
            language=selectors.current_language(),
            verified_buyer=is_verified_buyer(user=request.user, product=found),
            shop_id=getattr(getattr(request, "shop", None), "id", None),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        shopper = Shopper(request)
        ctx = _product_context(request, shopper, found, sku=None, review_form=form)
        ctx["can_review"] = is_verified_buyer(user=request.user, product=found)
        return _render_page(request, _product_page_dict(request, ctx), status=exc.http_status)
    messages.success(request, _("Thank you! Your review will appear once our team has read it."))
    return redirect(f"{url}#reviews")


# --- robots.txt -------------------------------------------------------------------------------------


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = absolute_url(request, reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /stock/",
        "Disallow: /platform/",
    ]
    shop = getattr(request, "shop", None)
    for code in shop.languages if shop is not None else [code for code, _name in settings.LANGUAGES]:
        for part in ("cart/", "checkout/", "account/", "pay/", "search/"):
            lines.append(f"Disallow: /{code}/{part}")
    lines += ["", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
