"""Public catalog API v1: products with prices and availability. Read only, anonymous allowed.

Prices follow the caller: anonymous callers get the public prices, a signed-in customer of a
group with a price list (B2B) gets that list's prices. ``currency`` converts from EUR at the
staff-maintained rate (``pricing.selectors``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import customer_group_for
from core.api import error_responses, parse
from core.errors import NotFound
from core.schema import StrictLimitOffsetPagination
from inventory.errors import UnknownLocation
from inventory.selectors import active_location_codes
from pricing.errors import UnsupportedCurrency
from pricing.selectors import CURRENCY_CODES

from .. import cache as page_cache
from .. import selectors
from ..errors import InvalidPriceRange
from ..templatetags.storefront_tags import money
from .serializers import (
    DetailQuerySerializer,
    ProductDetailSerializer,
    ProductListItemSerializer,
    ProductQuerySerializer,
    SuggestionsSerializer,
    SuggestQuerySerializer,
)

TAGS = ["catalog"]


class CatalogPagination(StrictLimitOffsetPagination):
    default_limit = 24
    max_limit = 100


def _price(price) -> dict[str, Any] | None:
    if price is None:
        return None
    return {
        "gross": price.gross,
        "net": price.net,
        "base_gross": price.base_gross,
        "currency": price.currency,
        "price_list": price.price_list,
    }


def _card_row(card: selectors.ProductCard) -> dict[str, Any]:
    product = card.product
    return {
        "slug": product.slug,
        "name": product.name,
        "category": product.category.slug,
        "brand": product.brand,
        "url": reverse("catalog:product", args=[product.slug]),
        "price": _price(card.price),
        "in_stock": card.in_stock,
        "rating": card.rating,
        "review_count": card.review_count,
        "image": card.image_url,
    }


class ProductListView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProductListItemSerializer
    pagination_class = CatalogPagination
    filter_backends: list = []

    @extend_schema(
        operation_id="catalog_products_list",
        tags=TAGS,
        summary="Published products",
        description="Published products with their lowest price, stock state and rating. Filters: "
        "`category` (slug, subcategories included), `q` (search words or SKU), `in_stock_at` (location "
        "code), `min_price`/`max_price` (TTC in `currency`). Anonymous callers allowed.",
        parameters=[ProductQuerySerializer],
        responses={
            200: ProductListItemSerializer(many=True),
            **error_responses(
                400,
                404,
                descriptions={
                    400: "Invalid input (`invalid`); `max_price` below `min_price` (`invalid_price_range`).",
                    404: "Unknown `category` (`not_found`) or `in_stock_at` location (`unknown_location`).",
                },
            ),
        },
    )
    def get(self, request: Request) -> Response:
        query = parse(ProductQuerySerializer, request.query_params)
        low, high = query.get("min_price"), query.get("max_price")
        if low is not None and high is not None and low > high:
            raise InvalidPriceRange(detail={"min_price": str(low), "max_price": str(high)})
        category = None
        if query.get("category"):
            category = selectors.category_tree().get(query["category"])
            if category is None:
                raise NotFound(f"No category {query['category']}.", detail={"category": query["category"]})
        store = query.get("in_stock_at", "")
        if store and store not in active_location_codes():
            raise UnknownLocation(f"Unknown location {store}.", detail={"in_stock_at": store})
        sort = query["sort"]
        if sort == "relevance" and not query.get("q"):
            sort = "name"
        filters = selectors.ListingFilters(
            min_price=query.get("min_price"), max_price=query.get("max_price"), store=store, sort=sort
        )
        currency = query["currency"]
        qs = selectors.product_list(
            filters=filters, category=category, query=query.get("q", ""), currency=currency
        )
        page = self.paginate_queryset(qs)
        assert page is not None  # pagination_class is set
        cards = selectors.product_cards(
            page, customer_group=customer_group_for(request.user), currency=currency
        )
        return self.get_paginated_response(
            ProductListItemSerializer([_card_row(c) for c in cards], many=True).data
        )


class ProductDetailView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProductDetailSerializer

    @extend_schema(
        operation_id="catalog_products_retrieve",
        tags=TAGS,
        summary="One product by slug or SKU",
        description="A published product with its variants, their prices and the available quantity per "
        "location. `key` is the product's slug or the SKU of one of its variants.",
        parameters=[
            DetailQuerySerializer,
            OpenApiParameter("key", str, OpenApiParameter.PATH, description="Product slug or variant SKU."),
        ],
        responses={
            200: ProductDetailSerializer,
            **error_responses(400, 404, descriptions={404: "No published product has this slug or SKU."}),
        },
    )
    def get(self, request: Request, key: str) -> Response:
        query = parse(DetailQuerySerializer, request.query_params)
        product = selectors.product_by_slug_or_sku(key)
        if product is None:
            raise NotFound(f"No published product {key}.", detail={"key": key})
        currency = query["currency"]
        data = selectors.product_page(
            product, customer_group=customer_group_for(request.user), currency=currency
        )
        cheapest = min((v.price for v in data.variants), key=lambda p: p.gross_eur, default=None)
        body = {
            "slug": product.slug,
            "name": product.name,
            "category": product.category.slug,
            "brand": product.brand,
            "url": reverse("catalog:product", args=[product.slug]),
            "price": _price(cheapest),
            "in_stock": any(v.in_stock for v in data.variants),
            "rating": data.rating,
            "review_count": data.review_count,
            "image": (data.images[0].image.url if data.images[0].image else data.images[0].url)
            if data.images
            else "",
            "description": product.description,
            "breadcrumbs": [node.slug for node in data.breadcrumbs],
            "variants": [
                {
                    "sku": v.sku,
                    "ean13": v.variant.ean13,
                    "options": v.options,
                    "label": v.label,
                    "price": _price(v.price),
                    "available": v.available,
                    "availability": [
                        {"location": s.code, "name": s.name, "kind": s.kind, "available": s.available}
                        for s in v.stock
                    ],
                }
                for v in data.variants
            ],
        }
        return Response(ProductDetailSerializer(body).data)


class SuggestView(GenericAPIView):
    """The search box's suggestions while the shopper types. Anonymous answers go through the page
    cache (versioned like the listings); every answer may be kept a minute by the browser."""

    permission_classes = [AllowAny]
    serializer_class = SuggestionsSerializer

    @extend_schema(
        operation_id="store_suggest",
        tags=TAGS,
        summary="Search suggestions",
        description="Up to 6 products (name, page, image, lowest price) and 3 categories matching what the "
        "shopper typed, typos and accents forgiven. `q` of more than 100 characters: 400 `invalid`.",
        parameters=[SuggestQuerySerializer],
        responses={200: SuggestionsSerializer, **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        query = parse(SuggestQuerySerializer, request.query_params)
        lang = query.get("lang") or selectors.current_language()
        with translation.override(lang):
            body = self._suggestions(request, query.get("q", "").strip(), lang)
        response = Response(SuggestionsSerializer(body).data)
        response["Cache-Control"] = "private, max-age=60"
        return response

    def _suggestions(self, request: Request, q: str, lang: str) -> dict[str, Any]:
        session = getattr(request, "session", None)
        currency = session.get("currency") if session is not None else None
        currency = currency if currency in CURRENCY_CODES else "EUR"
        search_url = reverse("catalog:search") + (f"?{urlencode({'q': q})}" if q else "")
        if not q:
            return {"query": "", "search_url": search_url, "products": [], "categories": []}
        user = request.user if request.user.is_authenticated else None
        if user is None:
            key = page_cache.page_key(kind="suggest", parts=[lang, currency, request.get_host(), q])
            cached = page_cache.get_page(key)
            if cached is not None:
                return cached
        try:
            found = selectors.suggestions(q, customer_group=customer_group_for(user), currency=currency)
        except UnsupportedCurrency:
            currency = "EUR"
            found = selectors.suggestions(q, customer_group=customer_group_for(user), currency=currency)
        body = {
            "query": q,
            "search_url": search_url,
            "products": [
                {
                    "name": card.name,
                    "url": reverse("catalog:product", args=[card.slug]),
                    "image": card.image_url,
                    "price": money(card.price.gross, card.price.currency) if card.price else "",
                }
                for card in found.products
            ],
            "categories": [
                {"name": node.name, "url": reverse("catalog:category", args=[node.slug])}
                for node in found.categories
            ],
        }
        if user is None:
            page_cache.set_page(key, body)
        return body
