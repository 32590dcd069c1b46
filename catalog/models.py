from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import money_round

from .validators import validate_ean13, validate_product_image


class VatRate(models.Model):
    code = models.SlugField(max_length=20, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=60, verbose_name=_("name"))
    rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        help_text=_("As a fraction: 0.2000 for 20 %"),
        validators=[MinValueValidator(Decimal("0"))],
        verbose_name=_("rate"),
    )

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lt=1), name="vat_rate_range")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.rate * 100:.1f} %)"


class Category(models.Model):
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=140, unique=True, verbose_name=_("slug"))
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    seo_title = models.CharField(max_length=70, blank=True, verbose_name=_("SEO title"))
    seo_description = models.CharField(max_length=160, blank=True, verbose_name=_("SEO description"))

    class Meta:
        verbose_name = _("category")
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name if self.parent_id is None else f"{self.parent} › {self.name}"


class OptionType(models.Model):
    """A dimension variants differ by: size, color, weight..."""

    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("option type")
        verbose_name_plural = _("option types")

    def __str__(self) -> str:
        return self.name


class OptionValue(models.Model):
    option_type = models.ForeignKey(
        OptionType, on_delete=models.CASCADE, related_name="values", verbose_name=_("option type")
    )
    code = models.SlugField(max_length=40, verbose_name=_("code"))
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        verbose_name = _("option value")
        verbose_name_plural = _("option values")
        ordering = ["option_type", "position"]
        constraints = [models.UniqueConstraint(fields=["option_type", "code"], name="option_value_unique")]

    def __str__(self) -> str:
        return f"{self.option_type.name}: {self.name}"


class Product(models.Model):
    """What a shopper sees; sold as one or more variants. Prices are HT (net) in EUR."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True, verbose_name=_("slug"))
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    brand = models.CharField(max_length=120, blank=True, verbose_name=_("brand"))
    vat_rate = models.ForeignKey(
        VatRate, on_delete=models.PROTECT, related_name="products", verbose_name=_("VAT rate")
    )
    option_types = models.ManyToManyField(
        OptionType, blank=True, related_name="products", verbose_name=_("option types")
    )
    base_price_ht = models.DecimalField(max_digits=12, decimal_places=4, verbose_name=_("base price (HT)"))
    currency = models.CharField(max_length=3, default="EUR", verbose_name=_("currency"))
    tracks_lots = models.BooleanField(
        default=False,
        help_text=_("Stock is kept by batch with an expiry date; sales take the earliest first."),
        verbose_name=_("tracks lots"),
    )
    is_published = models.BooleanField(default=True, verbose_name=_("published"))
    # B2B buyers (members of a company) order at least ``b2b_min_quantity`` units, by packs of
    # ``b2b_pack_size``; shoppers are not held to either (``orders.services.b2b``).
    b2b_min_quantity = models.PositiveIntegerField(
        default=1,
        verbose_name=_("B2B minimum quantity"),
        help_text=_("Business buyers order at least this many units per line."),
    )
    b2b_pack_size = models.PositiveIntegerField(
        default=1,
        verbose_name=_("B2B pack size"),
        help_text=_("Business buyers order whole packs: a multiple of this many units."),
    )
    seo_title = models.CharField(max_length=70, blank=True, verbose_name=_("SEO title"))
    seo_description = models.CharField(max_length=160, blank=True, verbose_name=_("SEO description"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("updated at"))
    # Names (every language), brand, category names and SKUs, folded (``catalog.search.fold``): what
    # the search matches. Written by ``catalog.services.refresh_search_text`` only.
    search_text = models.TextField(blank=True, default="", editable=False, verbose_name=_("search text"))

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(base_price_ht__gte=0), name="product_price_gte_0"),
            models.CheckConstraint(
                condition=Q(b2b_min_quantity__gte=1), name="product_b2b_min_quantity_gte_1"
            ),
            models.CheckConstraint(condition=Q(b2b_pack_size__gte=1), name="product_b2b_pack_size_gte_1"),
        ]
        indexes = [models.Index(fields=["category", "is_published"])]

    def __str__(self) -> str:
        return self.name


class SearchWord(models.Model):
    """A word of some product's ``search_text``: what the search's near spellings are looked up in
    (a trigram index on PostgreSQL). Added by ``catalog.services.refresh_search_text``, never removed:
    a word no product has any more finds nothing."""

    word = models.CharField(max_length=64, primary_key=True)

    def __str__(self) -> str:
        return self.word


class ProductImage(models.Model):
    """A product photo: the uploaded original (or an external URL), the colour it shows (none: every
    colour), its alt text per language and its responsive renditions, made by
    ``catalog.images.make_renditions`` after the upload commits."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    image = models.ImageField(
        _("photo"),
        upload_to="products/",
        blank=True,
        width_field="width",
        height_field="height",
        validators=[validate_product_image],
        help_text=_("JPEG, PNG, WebP or AVIF; at most 15 MB and 8000 px a side."),
    )
    url = models.URLField(
        blank=True, help_text=_("An external image, when no file is uploaded."), verbose_name=_("URL")
    )
    alt = models.CharField(_("alternative text"), max_length=200, blank=True)
    colour = models.ForeignKey(
        OptionValue,
        verbose_name=_("colour"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"option_type__code": "color"},
        help_text=_("The colour this photo shows; empty: every colour."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    width = models.PositiveIntegerField(_("width (px)"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height (px)"), null=True, blank=True, editable=False)
    # {"webp": {"320": "products/r/<hash>-320.webp", ...}, "avif": {...}}: storage names
    renditions = models.JSONField(_("renditions"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt or f"Image {self.position} of product {self.product_id}"


class Variant(models.Model):
    """The unit that is stocked and sold. Price is the product's unless overridden."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product")
    )
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    ean13 = models.CharField(_("EAN-13"), max_length=13, unique=True, validators=[validate_ean13])
    option_values = models.ManyToManyField(
        OptionValue, blank=True, related_name="variants", verbose_name=_("option values")
    )
    price_ht_override = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True, verbose_name=_("price override (HT)")
    )
    weight_grams = models.PositiveIntegerField(default=0, verbose_name=_("weight (g)"))
    cost_price_ht = models.DecimalField(
        _("cost price (HT)"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("What a unit costs the chain, EUR excl. VAT (the ERP's purchase price): margins."),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    # What the till's catalog delta reads (pos.selectors.store_catalog_changes): every write that
    # changes what a till carries sets it, bulk writes included (they pass it explicitly).
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["product", "position", "sku"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_ht_override__isnull=True) | Q(price_ht_override__gte=0),
                name="variant_price_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(cost_price_ht__isnull=True) | Q(cost_price_ht__gte=0), name="variant_cost_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def price_ht(self) -> Decimal:
        return self.price_ht_override if self.price_ht_override is not None else self.product.base_price_ht

    @property
    def price_ttc(self) -> Decimal:
        """Gross unit price, rounded once, here, to the cent."""
        return money_round(self.price_ht * (1 + self.product.vat_rate.rate))

    @property
    def currency(self) -> str:
        return self.product.currency


class RemovedVariant(models.Model):
    """A variant deleted from the catalog, kept as its SKU and when: the till's catalog delta tells
    tablets to drop it (a deactivated variant or unpublished product needs no row: its own
    ``updated_at`` says so). Written by ``catalog.services.record_removed_variants``."""

    sku = models.CharField("SKU", max_length=64)
    removed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.sku


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Review(models.Model):
    """A verified buyer's rating of a product; shoppers see it once staff approve it."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("product")
    )
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
        verbose_name=_("user"),
    )
    author_name = models.CharField(_("name shown"), max_length=80)
    rating = models.PositiveSmallIntegerField(_("rating"))
    title = models.CharField(_("title"), max_length=120, blank=True)
    text = models.TextField(_("review"), max_length=4000)
    language = models.CharField(max_length=8, default="fr", verbose_name=_("language"))
    shop = models.ForeignKey(
        "shops.Shop",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("shop"),
        help_text=_("Where it was written; shown on that shop only (none: before shops, the default shop)."),
    )
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING, verbose_name=_("status")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    moderated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("moderated at"))
    moderated_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("moderated by"),
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_5"),
            models.UniqueConstraint(fields=["product", "user"], name="review_one_per_user"),
        ]
        indexes = [models.Index(fields=["product", "status"])]

    def __str__(self) -> str:
        return f"{self.rating}/5 on {self.product_id} by {self.author_name}"
