"""Shapes of the public catalog API (read only)."""

from rest_framework import serializers

from core.schema import DecimalString, QueryParams
from pricing.selectors import CURRENCY_CODES


class ProductQuerySerializer(QueryParams):
    category = serializers.SlugField(
        required=False,
        max_length=140,
        help_text="A category slug (its subcategories included). Unknown: 404 `not_found`.",
    )
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Search words or a SKU."
    )
    in_stock_at = serializers.SlugField(
        required=False,
        max_length=20,
        help_text="A location code: only products available there. Unknown: 404 `unknown_location`.",
    )
    min_price = DecimalString(required=False, help_text="Lowest TTC price, in `currency`.")
    max_price = DecimalString(
        required=False,
        help_text="Highest TTC price, in `currency`. Below `min_price`: 400 `invalid_price_range`.",
    )
    sort = serializers.ChoiceField(
        required=False, choices=["relevance", "name", "price_asc", "price_desc", "newest"], default="name"
    )
    currency = serializers.ChoiceField(required=False, choices=CURRENCY_CODES, default="EUR")


class DetailQuerySerializer(QueryParams):
    currency = serializers.ChoiceField(required=False, choices=CURRENCY_CODES, default="EUR")


class PriceSerializer(serializers.Serializer):
    gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="TTC, in `currency`.")
    net = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="HT, in `currency`.")
    base_gross = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="TTC before any price list."
    )
    currency = serializers.CharField()
    price_list = serializers.CharField(allow_null=True)


class ProductListItemSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField(help_text="The category slug.")
    brand = serializers.CharField()
    url = serializers.CharField(help_text="The storefront page, in the request's language.")
    price = PriceSerializer(allow_null=True, help_text="The lowest price among its variants.")
    in_stock = serializers.BooleanField()
    rating = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    review_count = serializers.IntegerField()
    image = serializers.CharField(allow_blank=True)


class AvailabilitySerializer(serializers.Serializer):
    location = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    available = serializers.IntegerField()


class VariantSerializer(serializers.Serializer):
    sku = serializers.CharField()
    ean13 = serializers.CharField()
    options = serializers.DictField(
        child=serializers.CharField(), help_text="Option type code -> value code."
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a field: DRF's metaclass takes it off the class
    price = PriceSerializer()
    available = serializers.IntegerField(help_text="Sum over every location.")
    availability = AvailabilitySerializer(many=True)


class ProductDetailSerializer(ProductListItemSerializer):
    description = serializers.CharField()
    breadcrumbs = serializers.ListField(
        child=serializers.CharField(), help_text="Category slugs, root first."
    )
    variants = VariantSerializer(many=True)


SUGGEST_MAX_LENGTH = 100


class SuggestQuerySerializer(QueryParams):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=SUGGEST_MAX_LENGTH,
        help_text="What the shopper has typed so far. Empty: nothing suggested.",
    )
    lang = serializers.ChoiceField(
        required=False, choices=["fr", "en", "it"], help_text="Names and URLs in this language."
    )


class SuggestedProductSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField(help_text="The storefront page, in the request's language.")
    image = serializers.CharField(allow_blank=True)
    price = serializers.CharField(allow_blank=True, help_text="The lowest price, formatted (“€12.00”).")


class SuggestedCategorySerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField()


class SuggestionsSerializer(serializers.Serializer):
    query = serializers.CharField(allow_blank=True)
    search_url = serializers.CharField(help_text="The full search page of `q`.")
    products = SuggestedProductSerializer(many=True)
    categories = SuggestedCategorySerializer(many=True)
