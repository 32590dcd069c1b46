"""Read side of the shop: the storefront pages, the shop's catalog API and the header menu.

Every function here runs a constant number of queries whatever the catalog size: pages of products
come with their variants, images, prices, ratings and stock state in a fixed set of queries
(``product_cards``), never one per product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from catalog import search as search_sql
from catalog.images import Picture, picture
from catalog.models import Category, OptionValue, Product, ProductImage, Review, ReviewStatus, Variant
from core.aggregates import IdList
from core.money import money_round
from inventory import selectors as stock_selectors
from inventory.models import Location
from orders.selectors import units_sold_by_category
from pricing.selectors import DisplayPrice, best_entries, currency_rate, display_prices, make_display_price
from pricing.services import PriceBreak, offered_currencies, price_breaks
from shops.context import current_shop
from shops.selectors import rows_of_shop

from . import cache as page_cache

PAGE_SIZE = 24
SORTS = ("relevance", "name", "price_asc", "price_desc", "newest")
FACET_OPTION_TYPES = ("size", "color")


def current_language() -> str:
    lang = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- categories -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryNode:
    id: int
    parent_id: int | None
    slug: str
    names: dict[str, str]
    descriptions: dict[str, str]
    seo_titles: dict[str, str]
    seo_descriptions: dict[str, str]
    position: int

    def _pick(self, values: dict[str, str]) -> str:
        lang = current_language()
        return values.get(lang) or next((v for v in values.values() if v), "")

    @property
    def name(self) -> str:
        return self._pick(self.names)

    @property
    def description(self) -> str:
        return self._pick(self.descriptions)

    @property
    def seo_title(self) -> str:
        return self._pick(self.seo_titles)

    @property
    def seo_description(self) -> str:
        return self._pick(self.seo_descriptions)


@dataclass(frozen=True)
class CategoryTree:
    nodes: dict[int, CategoryNode]
    by_slug: dict[str, int]

    def roots(self) -> list[CategoryNode]:
        return sorted(
            (n for n in self.nodes.values() if n.parent_id is None), key=lambda n: (n.position, n.slug)
        )

    def children(self, node_id: int) -> list[CategoryNode]:
        return sorted(
            (n for n in self.nodes.values() if n.parent_id == node_id), key=lambda n: (n.position, n.slug)
        )

    def get(self, slug: str) -> CategoryNode | None:
        node_id = self.by_slug.get(slug)
        return self.nodes.get(node_id) if node_id is not None else None

    def descendant_ids(self, node_id: int) -> list[int]:
        ids, todo = [], [node_id]
        while todo:
            current = todo.pop()
            ids.append(current)
            todo.extend(n.id for n in self.nodes.values() if n.parent_id == current)
        return sorted(ids)

    def ancestors(self, node_id: int) -> list[CategoryNode]:
        """Root first, the node itself last."""
        chain: list[CategoryNode] = []
        node = self.nodes.get(node_id)
        while node is not None and len(chain) < 10:
            chain.append(node)
            node = self.nodes.get(node.parent_id) if node.parent_id else None
        return list(reversed(chain))


def category_tree() -> CategoryTree:
    """Every category, all languages, from the cache (0 queries) or the database (1 query)."""
    key = page_cache.page_key(kind="categories", parts=["tree"])
    tree = page_cache.get_page(key)
    if tree is None:
        langs = [code for code, _ in settings.LANGUAGES]
        nodes = {}
        for c in Category.objects.all():
            nodes[c.pk] = CategoryNode(
                id=c.pk,
                parent_id=c.parent_id,
                slug=c.slug,
                names={lang: getattr(c, f"name_{lang}") or "" for lang in langs},
                descriptions={lang: getattr(c, f"description_{lang}") or "" for lang in langs},
                seo_titles={lang: getattr(c, f"seo_title_{lang}") or "" for lang in langs},
                seo_descriptions={lang: getattr(c, f"seo_description_{lang}") or "" for lang in langs},
                position=c.position,
            )
        tree = CategoryTree(nodes=nodes, by_slug={n.slug: n.id for n in nodes.values()})
        page_cache.set_page(key, tree)
    return tree


def top_categories() -> list[CategoryNode]:
    """The menu: the root categories, or the categories a shop chose (its assortment)."""
    tree = category_tree()
    shop = current_shop()
    if shop is None or not shop.category_ids:
        return tree.roots()
    chosen = [tree.nodes[pk] for pk in shop.category_ids if pk in tree.nodes]
    return sorted(chosen, key=lambda n: (n.position, n.slug))


def category_in_shop(node: CategoryNode) -> bool:
    """Whether the request's shop sells this category (every category without a chosen assortment)."""
    shop = current_shop()
    return shop is None or not shop.category_ids or node.id in shop.assortment_category_ids


# --- the shop's assortment and reviews --------------------------------------------------------------


def in_shop_assortment(qs: QuerySet[Product]) -> QuerySet[Product]:
    """``qs`` kept to the request's shop (``shops.context``): its categories with their subcategories,
    without its excluded products. No query: the shop's id sets are in its snapshot."""
    shop = current_shop()
    if shop is None or not shop.has_assortment:
        return qs
    if shop.category_ids:
        qs = qs.filter(category_id__in=sorted(shop.assortment_category_ids))
    if shop.excluded_product_ids:
        qs = qs.exclude(pk__in=sorted(shop.excluded_product_ids))
    return qs


def current_shop_id() -> int | None:
    """The request's shop for pricing (its price lists, ``pricing.resolution``); None outside a
    request or before the shop rows exist: only the lists of no shop."""
    shop = current_shop()
    return shop.id if shop is not None else None


def offers_reservation(shop_id: int | None = None) -> bool:
    """Whether the shop (default: the request's) offers reservations to try in store
    (``orders.ShopCheckoutOptions``), from the cache: no query once warm."""
    from orders.models import DeliveryMethod
    from orders.services.shop_options import shop_methods

    shop_id = shop_id if shop_id is not None else current_shop_id()
    return shop_methods(shop_id, cached=True).offers_delivery(DeliveryMethod.RESERVE_IN_STORE)


def shop_reviews(qs: QuerySet[Review]) -> QuerySet[Review]:
    """Reviews written on the request's shop; the default shop also shows those written before shops
    existed (no shop)."""
    return qs.filter(rows_of_shop(current_shop()))


# --- product cards (lists) --------------------------------------------------------------------------


@dataclass
class ProductCard:
    product: Product
    price: DisplayPrice | None  # the lowest price among its active variants
    has_price_range: bool
    in_stock: bool
    rating: Decimal | None
    review_count: int
    image_url: str
    image_alt: str
    picture: Picture | None = None  # the first photo as <picture> sources (catalog.images)

    @property
    def slug(self) -> str:
        return self.product.slug

    @property
    def name(self) -> str:
        return self.product.name


def published_products() -> QuerySet[Product]:
    """The products the request's shop sells (``in_shop_assortment``): every page, API and sitemap
    of the storefront starts here."""
    return in_shop_assortment(Product.objects.filter(is_published=True))


def with_listing_annotations(qs: QuerySet[Product]) -> QuerySet[Product]:
    """``sort_gross``: the lowest TTC price in EUR, for sorting and the price filter. (The stock state of
    a page of products is one more query in ``product_cards``: as an annotation PostgreSQL would hash
    every stock level of the chain to answer it.)"""
    min_net = (
        Variant.objects.filter(product=OuterRef("pk"), is_active=True)
        .annotate(p=Coalesce("price_ht_override", "product__base_price_ht"))
        .order_by("p")
        .values("p")[:1]
    )
    return qs.annotate(
        min_net=Subquery(min_net),
        sort_gross=F("min_net") * (1 + F("vat_rate__rate")),
    )


def in_stock_ids(product_ids: Iterable[int]) -> set[int]:
    """Which of these products some active location has available (an active variant). 1 query."""
    return stock_selectors.products_in_stock(product_ids)


def product_cards(
    products: Sequence[Product], *, customer_group=None, company=None, currency: str = "EUR"
) -> list[ProductCard]:
    """Cards for products annotated by ``with_listing_annotations``: 4 to 5 queries for any count."""
    products = list(products)
    if not products:
        return []
    ids = [p.pk for p in products]
    # Plain rows, not model instances: a page of 24 products can have several hundred variants.
    rows = list(
        Variant.objects.filter(product_id__in=ids, is_active=True).values_list(
            "pk", "product_id", "price_ht_override", "product__base_price_ht", "product__vat_rate__rate"
        )
    )
    rate = currency_rate(currency)
    entries = best_entries(
        variant_ids=[row[0] for row in rows],
        customer_group=customer_group,
        company=company,
        shop_id=current_shop_id(),
    )
    best: dict[int, tuple[Decimal, Decimal, Decimal, str | None]] = {}  # product -> net, base, vat, list
    grosses: dict[int, set[Decimal]] = {}
    for pk, product_id, override, product_base, vat in rows:
        base_net = override if override is not None else product_base
        net, code = entries.get(pk, (base_net, None))
        gross = money_round(net * (1 + vat))
        grosses.setdefault(product_id, set()).add(gross)
        current = best.get(product_id)
        if current is None or gross < money_round(current[0] * (1 + current[2])):
            best[product_id] = (net, base_net, vat, code)
    prices = {
        product_id: make_display_price(
            net=net, base_net=base_net, vat_rate=vat, currency=currency, rate=rate, price_list=code
        )
        for product_id, (net, base_net, vat, code) in best.items()
    }
    stocked = in_stock_ids(ids)
    images: dict[int, ProductImage] = {}
    for found in ProductImage.objects.filter(product_id__in=ids).order_by("product_id", "position", "id"):
        images.setdefault(found.product_id, found)
    ratings = {
        row["product_id"]: row
        for row in shop_reviews(Review.objects.filter(product_id__in=ids, status=ReviewStatus.APPROVED))
        .values("product_id")
        .annotate(avg=Avg("rating"), n=Count("id"))
        .order_by()
    }
    cards = []
    for product in products:
        cheapest = prices.get(product.pk)
        image = images.get(product.pk)
        rating = ratings.get(product.pk)
        cards.append(
            ProductCard(
                product=product,
                price=cheapest,
                has_price_range=len(grosses.get(product.pk, ())) > 1,
                in_stock=product.pk in stocked,
                rating=Decimal(str(rating["avg"])).quantize(Decimal("0.1")) if rating else None,
                review_count=rating["n"] if rating else 0,
                image_url=_image_url(image),
                image_alt=(image.alt if image else "") or product.name,
                picture=picture(image, alt=image.alt or product.name) if image else None,
            )
        )
    return cards


def _image_url(image: ProductImage | None) -> str:
    if image is None:
        return ""
    if image.image:
        return image.image.url
    return image.url


# --- listings: category and search ------------------------------------------------------------------


@dataclass(frozen=True)
class ListingFilters:
    sizes: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    min_price: Decimal | None = None  # TTC in the shopper's currency
    max_price: Decimal | None = None
    store: str = ""
    sort: str = "name"
    page: int = 1


@dataclass(frozen=True)
class FacetValue:
    code: str
    name: str
    selected: bool


@dataclass
class Facets:
    sizes: list[FacetValue] = field(default_factory=list)
    colors: list[FacetValue] = field(default_factory=list)
    stores: list[FacetValue] = field(default_factory=list)
    price_min: Decimal | None = None
    price_max: Decimal | None = None


@dataclass
class Listing:
    cards: list[ProductCard]
    page_number: int
    num_pages: int
    count: int
    facets: Facets | None = None

    @property
    def has_next(self) -> bool:
        return self.page_number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1


def filter_products(qs: QuerySet[Product], filters: ListingFilters, *, rate: Decimal) -> QuerySet[Product]:
    if filters.sizes or filters.colors:
        variants = Variant.objects.filter(product=OuterRef("pk"), is_active=True)
        if filters.sizes:
            variants = variants.filter(
                option_values__option_type__code="size", option_values__code__in=filters.sizes
            )
        if filters.colors:
            variants = variants.filter(
                option_values__option_type__code="color", option_values__code__in=filters.colors
            )
        qs = qs.filter(Exists(variants))
    if filters.store:
        qs = qs.filter(stock_selectors.product_available_at(filters.store))
    if filters.min_price is not None:
        qs = qs.filter(sort_gross__gte=filters.min_price / rate)  # type: ignore[misc]  # annotated by listing_base(); the plugin sees only Product's fields
    if filters.max_price is not None:
        qs = qs.filter(sort_gross__lte=filters.max_price / rate)  # type: ignore[misc]  # annotated by listing_base(); the plugin sees only Product's fields
    return qs


def order_products(qs: QuerySet[Product], sort: str, *, has_rank: bool = False) -> QuerySet[Product]:
    lang = current_language()
    if sort == "price_asc":
        return qs.order_by(F("sort_gross").asc(nulls_last=True), "pk")
    if sort == "price_desc":
        return qs.order_by(F("sort_gross").desc(nulls_last=True), "pk")
    if sort == "newest":
        return qs.order_by("-created_at", "-pk")
    if sort == "relevance" and has_rank:
        return qs.order_by("-rank", f"name_{lang}", "pk")  # type: ignore[misc]  # annotated by listing_base(); the plugin sees only Product's fields
    return qs.order_by(f"name_{lang}", "pk")


def search_products(qs: QuerySet[Product], query: str) -> tuple[QuerySet[Product], bool]:
    """Products matching ``query``, ranked: the forgiving engine (``catalog.search.find_products``:
    names in every language, brand, categories, SKUs; accents folded, typos forgiven, on every
    database) first, then a description match in the shopper's language (PostgreSQL: full text,
    ``unaccent``, ranked by ``ts_rank``; SQLite: ``icontains``) and a SKU or EAN-13 match.
    Returns the queryset and whether it carries a ``rank`` annotation (it always does)."""
    lang = current_language()
    query = query.strip()
    hits = search_sql.find_products(query)
    # The engine's order, as numbers above any ts_rank (which stays below 1).
    engine_rank = Case(
        *[When(pk=hit.product_id, then=Value(float(10 + len(hits) - i))) for i, hit in enumerate(hits)],
        default=Value(0.0),
        output_field=FloatField(),
    )
    sku_match = Exists(
        Variant.objects.filter(product=OuterRef("pk")).filter(
            Q(sku__iexact=query) | Q(sku__istartswith=query) | Q(ean13=query)
        )
    )
    found = Q(pk__in=[hit.product_id for hit in hits]) | sku_match
    if settings.IS_POSTGRES and lang in search_sql.LANGUAGE_CONFIGS:
        # The full-text match runs once, on the GIN index (migration 0003), as a sub-select; the
        # rank is computed for the matching rows only.
        matches = Product.objects.filter(
            RawSQL(
                f"{search_sql.vector_sql(lang)} @@ {search_sql.query_sql(lang)}",
                [query],
                output_field=BooleanField(),
            )
        ).values("pk")
        text_rank = RawSQL(
            f"ts_rank({search_sql.vector_sql(lang, 'catalog_product')}, {search_sql.query_sql(lang)})",
            [query],
            output_field=FloatField(),
        )
        qs = qs.filter(found | Q(pk__in=Subquery(matches))).annotate(rank=engine_rank + text_rank)
        return qs, True
    qs = qs.filter(found | Q(**{f"description_{lang}__icontains": query})).annotate(rank=engine_rank)
    return qs, True


def listing_base(*, category: CategoryNode | None = None, query: str = "") -> tuple[QuerySet[Product], bool]:
    """Published products of a category (and its subcategories) and/or matching a search, annotated
    for cards and sorting. Returns the queryset and whether it has a search ``rank``."""
    base = published_products()
    if category is not None:
        base = base.filter(category_id__in=category_tree().descendant_ids(category.id))
    has_rank = False
    if query:
        base, has_rank = search_products(base, query)
    return with_listing_annotations(base).select_related("vat_rate", "category"), has_rank


def product_list(
    *, filters: ListingFilters, category: CategoryNode | None = None, query: str = "", currency: str = "EUR"
) -> QuerySet[Product]:
    """The filtered, sorted queryset of a listing (the API pages it itself)."""
    base, has_rank = listing_base(category=category, query=query)
    return order_products(
        filter_products(base, filters, rate=currency_rate(currency)), filters.sort, has_rank=has_rank
    )


def listing(
    *,
    filters: ListingFilters,
    category: CategoryNode | None = None,
    query: str = "",
    customer_group=None,
    company=None,
    currency: str = "EUR",
    with_facets: bool = True,
) -> Listing:
    """One page of a category or search listing with its facets. About 11 queries, whatever the size."""
    rate = currency_rate(currency)
    base, has_rank = listing_base(category=category, query=query)
    facets = None
    if with_facets:
        scope = ["category", category.id] if category is not None else ["search", query]
        facets = category_facets(base, filters=filters, rate=rate, scope=scope)
    qs = order_products(filter_products(base, filters, rate=rate), filters.sort, has_rank=has_rank)
    paginator = Paginator(qs, PAGE_SIZE)
    try:
        page = paginator.page(filters.page)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    cards = product_cards(
        list(page.object_list), customer_group=customer_group, company=company, currency=currency
    )
    return Listing(
        cards=cards,
        page_number=page.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        facets=facets,
    )


@dataclass(frozen=True)
class FacetData:
    """What a listing's facets show before the shopper's choices: (option type code, value code, name)
    of the sizes and colours present, (code, name) of the stores with stock, the price range in EUR."""

    values: list[tuple[str, str, str]]
    stores: list[tuple[str, str]]
    low: Decimal | None
    high: Decimal | None


def facet_data(base: QuerySet[Product]) -> FacetData:
    """Sizes and colours present, stores with stock, price range in EUR. 3 queries."""
    product_ids = base.values("pk")
    # Exists per option value (a handful) rather than a DISTINCT over every variant of the category.
    through = Variant.option_values.through
    values = (
        OptionValue.objects.filter(option_type__code__in=FACET_OPTION_TYPES)
        .filter(
            Exists(
                through.objects.filter(
                    optionvalue_id=OuterRef("pk"),
                    variant__is_active=True,
                    variant__product_id__in=Subquery(product_ids),
                )
            )
        )
        .select_related("option_type")
        .order_by("option_type__code", "position", "code")
    )
    stores = stock_selectors.stores_with_stock(product_ids)
    bounds = base.aggregate(low=Min("sort_gross"), high=Max("sort_gross"))
    return FacetData(
        values=[(value.option_type.code, value.code, value.name) for value in values],
        stores=[(store.code, store.name) for store in stores],
        low=None if bounds["low"] is None else Decimal(bounds["low"]),
        high=None if bounds["high"] is None else Decimal(bounds["high"]),
    )


def category_facets(
    base: QuerySet[Product], *, filters: ListingFilters, rate: Decimal, scope: list | None = None
) -> Facets:
    """Sizes and colours present, stores with stock, price range (in the shopper's currency), the
    shopper's choices marked. ``scope`` (``["category", id]`` or ``["search", words]``): the facets
    of that listing are kept in the cache under the listing's version, like the category tree, so
    its other pages, sorts and filters do not count them again (0 queries; else 3)."""
    if scope is None:
        data = facet_data(base)
    else:
        key = page_cache.page_key(kind="facets", parts=[current_language(), *scope])
        data = page_cache.get_page(key)
        if data is None:
            data = facet_data(base)
            page_cache.set_page(key, data)
    facets = Facets()
    for type_code, code, name in data.values:
        if type_code == "size":
            facets.sizes.append(FacetValue(code, name, code in filters.sizes))
        else:
            facets.colors.append(FacetValue(code, name, code in filters.colors))
    facets.stores = [FacetValue(code, name, code == filters.store) for code, name in data.stores]
    if data.low is not None and data.high is not None:
        facets.price_min = money_round(data.low * rate).to_integral_value(rounding="ROUND_FLOOR")
        facets.price_max = money_round(data.high * rate).to_integral_value(rounding="ROUND_CEILING")
    return facets


def home_products(
    *, customer_group=None, company=None, currency: str = "EUR", limit: int = 8
) -> dict[str, list[ProductCard]]:
    """The newest in-stock products and a few featured ones (best rated, else the cheapest in stock)."""
    base = with_listing_annotations(published_products()).select_related("vat_rate", "category")
    # The newest products first (a cheap sort); their stock state is computed for those rows only
    # (in the select list, a few index look-ups), not as a semi-join over every stock level.
    newest = list(base.order_by("-created_at", "-pk")[: limit * 5])
    stocked = in_stock_ids(p.pk for p in newest)
    new = [p for p in newest if p.pk in stocked][:limit]
    rated = (
        shop_reviews(Review.objects.filter(status=ReviewStatus.APPROVED, product__is_published=True))
        .values("product_id")
        .annotate(avg=Avg("rating"), n=Count("id"))
        .order_by("-avg", "-n", "product_id")
        .values_list("product_id", flat=True)[:limit]
    )
    featured = list(base.filter(pk__in=Subquery(rated)).order_by("-pk")[:limit])
    if len(featured) < limit:
        seen = {p.pk for p in featured} | {p.pk for p in new}
        featured += [p for p in newest if p.pk in stocked and p.pk not in seen][: limit - len(featured)]
    cards = product_cards(new + featured, customer_group=customer_group, company=company, currency=currency)
    return {"new": cards[: len(new)], "featured": cards[len(new) :]}


# --- product page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreStock:
    code: str
    name: str
    available: int
    kind: str


@dataclass
class VariantView:
    variant: Variant
    sku: str
    options: dict[str, str]  # option type code -> option value code
    label: str
    price: DisplayPrice
    stock: list[StoreStock]

    @property
    def available(self) -> int:
        return sum(s.available for s in self.stock)

    @property
    def in_stock(self) -> bool:
        return self.available > 0


@dataclass
class OptionChoice:
    type_code: str
    type_name: str
    values: list[tuple[str, str]]  # (code, name) in position order


@dataclass
class ProductPage:
    product: Product
    variants: list[VariantView]
    selected: VariantView | None
    option_choices: list[OptionChoice]
    images: list[ProductImage]
    reviews: list[Review]
    rating: Decimal | None
    review_count: int
    breadcrumbs: list[CategoryNode]
    stores: list[StoreStock]
    # The photos as <picture> data, the selected variant's colour (and every colour's) first.
    pictures: list[Picture] = field(default_factory=list)
    gallery_colour: str = ""  # the colour whose photos show ("": all of them)
    # A company buyer's view (issue 17): the selected variant's quantity breaks, and the product's
    # minimum and pack size (1 and 1 for everybody else).
    price_breaks: list[PriceBreak] = field(default_factory=list)
    min_quantity: int = 1
    pack_size: int = 1


def product_by_slug(slug: str) -> Product | None:
    return published_products().select_related("category", "vat_rate").filter(slug=slug).first()


def product_page(
    product: Product,
    *,
    sku: str | None = None,
    customer_group=None,
    company=None,
    currency: str = "EUR",
    reviews_shown: int = 20,
) -> ProductPage:
    """Everything the product page shows, in 5 queries whatever the number of variants, stores or
    reviews (variants with their option ids, prices, stock, reviews, images; a 6th for the rating when
    more reviews exist than are shown). Option values, stores and categories come from the cache."""
    variants = list(
        product.variants.filter(is_active=True)
        .annotate(option_ids=IdList("option_values__id"))
        .order_by("position", "sku")
    )
    for v in variants:
        v.product = product  # the page's product already has its VAT rate: no query per variant
    prices = display_prices(
        variants=variants,
        customer_group=customer_group,
        company=company,
        currency=currency,
        shop_id=current_shop_id(),
    )
    locations = active_stores()
    levels = stock_selectors.available_by_variant_and_location([v.pk for v in variants])
    option_values = all_option_values()
    language = current_language()
    views: list[VariantView] = []
    choices: dict[str, OptionChoice] = {}
    for v in variants:
        options, names = {}, []
        found = [option_values[pk] for pk in IdList.parse(v.option_ids) if pk in option_values]
        for value in sorted(found, key=lambda o: o.order):
            name = value.names.get(language, "")
            options[value.type_code] = value.code
            names.append(name)
            choice = choices.setdefault(
                value.type_code, OptionChoice(value.type_code, value.type_names.get(language, ""), [])
            )
            if (value.code, name) not in choice.values:
                choice.values.append((value.code, name))
        stock = [
            StoreStock(loc.code, loc.name, max(levels.get((v.pk, loc.pk), 0), 0), loc.kind)
            for loc in locations
        ]
        views.append(
            VariantView(
                variant=v,
                sku=v.sku,
                options=options,
                label=" / ".join(names) or v.sku,
                price=prices[v.pk],
                stock=stock,
            )
        )
    selected = next((v for v in views if v.sku == sku), None)
    if selected is None:
        selected = next((v for v in views if v.in_stock), views[0] if views else None)
    approved = shop_reviews(Review.objects.filter(product=product, status=ReviewStatus.APPROVED))
    reviews = list(approved.order_by("-created_at", "-id")[:reviews_shown])
    if len(reviews) < reviews_shown:  # all of them: the rating needs no query of its own
        ratings = [r.rating for r in reviews]
        average, count = (sum(ratings) / len(ratings) if ratings else None), len(ratings)
    else:
        agg = approved.aggregate(avg=Avg("rating"), n=Count("id"))
        average, count = agg["avg"], agg["n"]
    images = list(product.images.all())
    shown_colour = selected.options.get("color", "") if selected else ""
    pictures = [
        picture(
            image,
            alt=image.alt or product.name,
            colour=option_values[image.colour_id].code if image.colour_id in option_values else "",
        )
        for image in images
    ]
    if not any(p.colour == shown_colour for p in pictures):
        shown_colour = ""  # no photo of its own: every photo shows
    pictures.sort(key=lambda p: 0 if p.colour in ("", shown_colour) else 1)  # stable: staff's order
    tree = category_tree()
    return ProductPage(
        product=product,
        variants=views,
        selected=selected,
        option_choices=[
            choices[k]
            for k in sorted(
                choices, key=lambda c: FACET_OPTION_TYPES.index(c) if c in FACET_OPTION_TYPES else 9
            )
        ],
        images=images,
        reviews=reviews,
        rating=Decimal(str(average)).quantize(Decimal("0.1")) if average is not None else None,
        review_count=count,
        breadcrumbs=tree.ancestors(product.category_id),
        stores=[StoreStock(loc.code, loc.name, 0, loc.kind) for loc in locations],
        pictures=pictures,
        gallery_colour=shown_colour,
        **(
            _business_terms(
                product, [v for v in variants if selected and v.sku == selected.sku], customer_group, company
            )
            if company is not None
            else {}
        ),
    )


def _business_terms(product: Product, selected: list[Variant], customer_group, company) -> dict:
    """A company buyer's quantity breaks for the selected variant (one query) and the product's
    minimum (rounded up to whole packs) and pack size."""
    breaks = []
    if selected:
        breaks = price_breaks(
            variant=selected[0], customer_group=customer_group, company=company, shop_id=current_shop_id()
        )
    pack = product.b2b_pack_size
    return {
        "price_breaks": breaks,
        "min_quantity": -(-product.b2b_min_quantity // pack) * pack,
        "pack_size": product.b2b_pack_size,
    }


@dataclass(frozen=True)
class OptionValueView:
    code: str
    type_code: str
    names: dict[str, str]  # language -> name (with modeltranslation's fallback)
    type_names: dict[str, str]
    order: tuple[int, str, int]  # the facet types first, then by type code and position


def all_option_values() -> dict[int, OptionValueView]:
    """Every option value (sizes, colours...) by id, in every language: from the cache (0 queries)
    or 1 query, refreshed like the category tree (and after ``PAGE_TTL`` at the latest)."""
    key = page_cache.page_key(kind="options", parts=["all"])
    found = page_cache.get_page(key)
    if found is None:
        values = list(OptionValue.objects.select_related("option_type"))
        found = {}
        for value in values:
            names, type_names = {}, {}
            for lang, _name in settings.LANGUAGES:
                with translation.override(lang):
                    names[lang], type_names[lang] = value.name, value.option_type.name
            code = value.option_type.code
            rank = FACET_OPTION_TYPES.index(code) if code in FACET_OPTION_TYPES else len(FACET_OPTION_TYPES)
            order = (rank, code, value.position)
            found[value.pk] = OptionValueView(value.code, code, names, type_names, order)
        page_cache.set_page(key, found)
    return found


@dataclass(frozen=True)
class StoreView:
    pk: int
    code: str
    name: str
    kind: str


def active_stores() -> list[StoreView]:
    """The active locations (shops and warehouses) a product page lists, by kind then name: from the
    cache (0 queries) or 1 query. A store opened or closed shows within ``PAGE_TTL``, as its pages do."""
    key = page_cache.page_key(kind="stores", parts=["active"])
    found = page_cache.get_page(key)
    if found is None:
        found = [
            StoreView(loc.pk, loc.code, loc.name, loc.kind)
            for loc in Location.objects.filter(is_active=True).order_by("kind", "name")
        ]
        page_cache.set_page(key, found)
    return found


def home_delivery_days() -> str:
    """The fastest active carrier's promise ("2-3"), for the product page's delivery estimate: from
    the cache (0 queries) or 1 query; "" when no carrier says. Relative days, not dates, so a page
    cached overnight does not promise yesterday's dates."""
    from logistics.models import Carrier

    key = page_cache.page_key(kind="delivery", parts=["days"])
    found = page_cache.get_page(key)
    if found is None:
        promises = Carrier.objects.filter(is_active=True).exclude(delivery_days="")
        ranked = sorted(promises.values_list("delivery_days", flat=True), key=_first_number)
        found = ranked[0] if ranked else ""
        page_cache.set_page(key, found)
    return found


def _first_number(text: str) -> int:
    digits = "".join(c if c.isdigit() else " " for c in text).split()
    return int(digits[0]) if digits else 99


def shop_currencies() -> list[str]:
    """``pricing.services.offered_currencies`` through the cache: the footer's currency switch on
    every page. Refreshed by ``PricesChanged`` (every rate change publishes it)."""
    key = page_cache.page_key(kind="currencies", parts=["offered"])
    found = page_cache.get_page(key)
    if found is None:
        found = offered_currencies()
        page_cache.set_page(key, found)
    return found


def sitemap_lastmod() -> dt.datetime | None:
    return published_products().aggregate(m=Max("updated_at"))["m"]


def product_by_slug_or_sku(key: str) -> Product | None:
    """A published product by its slug, else by the SKU of one of its variants. 1 or 2 queries."""
    qs = published_products().select_related("category", "vat_rate")
    return qs.filter(slug=key).first() or qs.filter(variants__sku=key).first()


# --- the /platform/ landing page --------------------------------------------------------------------


def platform_overview() -> dict:
    """Headline figures: five queries whatever the catalog size."""
    return {
        **stock_selectors.stock_overview(),
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
    }


def recommended_cards(
    product_ids: Sequence[int], *, customer_group=None, company=None, currency: str = "EUR"
) -> list[ProductCard]:
    """Cards for recommended products (``marketing.recommendations``), in the order given: 5 to 6
    queries for any count."""
    if not product_ids:
        return []
    found = {
        p.pk: p
        for p in with_listing_annotations(published_products())
        .filter(pk__in=list(product_ids))
        .select_related("vat_rate", "category")
    }
    return product_cards(
        [found[pk] for pk in product_ids if pk in found],
        customer_group=customer_group,
        company=company,
        currency=currency,
    )


# --- search: an empty result, suggestions while typing ------------------------------------------------

POPULAR_DAYS = 90


def popular_categories(limit: int = 6) -> list[CategoryNode]:
    """What an empty search offers instead: the categories that sold the most units these
    ``POPULAR_DAYS`` days, topped up with the ones holding the most published products. 1-2 queries."""
    tree = category_tree()
    since = timezone.now() - dt.timedelta(days=POPULAR_DAYS)
    ids = [pk for pk, _units in units_sold_by_category(since=since, limit=limit) if pk in tree.nodes]
    if len(ids) < limit:
        biggest = (
            published_products()
            .values("category_id")
            .annotate(n=Count("id"))
            .order_by("-n", "category_id")
            .values_list("category_id", flat=True)[: limit * 2]
        )
        ids += [pk for pk in biggest if pk not in ids and pk in tree.nodes]
    nodes = [tree.nodes[pk] for pk in ids if category_in_shop(tree.nodes[pk])]
    return nodes[:limit]


def did_you_mean(query: str) -> str:
    """The query corrected word by word against the catalog's words, "" when none is near."""
    return search_sql.suggest_correction(query)


def matching_categories(query: str, *, limit: int = 3) -> list[CategoryNode]:
    """Categories whose name, in any language, matches ``query`` (the same matching as products). 0
    queries when the category tree is cached."""
    tree = category_tree()
    rows = [
        (node.id, " ".join(node.names.values())) for node in tree.nodes.values() if category_in_shop(node)
    ]
    return [tree.nodes[hit.product_id] for hit in search_sql.match_texts(query, rows, limit=limit)]


@dataclass
class Suggestions:
    products: list[ProductCard]
    categories: list[CategoryNode]


def suggestions(
    query: str, *, limit: int = 6, customer_group=None, company=None, currency: str = "EUR"
) -> Suggestions:
    """Up to ``limit`` products (best first, with their price and image) and 3 categories for the
    search box while the shopper types. 2 queries for the engine and 4 to 5 for the cards."""
    hits = search_sql.find_products(query, limit=limit)
    order = {hit.product_id: i for i, hit in enumerate(hits)}
    products = sorted(
        with_listing_annotations(published_products().filter(pk__in=list(order))).select_related(
            "vat_rate", "category"
        ),
        key=lambda product: order[product.pk],
    )
    cards = product_cards(products, customer_group=customer_group, company=company, currency=currency)
    return Suggestions(products=cards, categories=matching_categories(query))
