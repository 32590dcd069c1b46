from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import money_round

from .validators import validate_ean13, validate_product_image


class VatRate(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        help_text=_("As a fraction: 0.2000 for 20 %"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lt=1), name="vat_rate_range")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.rate * 100:.1f} %)"


class Category(models.Model):
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)
    seo_title = models.CharField(max_length=70, blank=True)
    seo_description = models.CharField(max_length=160, blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name if self.parent_id is None else f"{self.parent} › {self.name}"


class OptionType(models.Model):
    """A dimension variants differ by: size, color, weight..."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)

    def __str__(self) -> str:
        return self.name


class OptionValue(models.Model):
    option_type = models.ForeignKey(OptionType, on_delete=models.CASCADE, related_name="values")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["option_type", "position"]
        constraints = [models.UniqueConstraint(fields=["option_type", "code"], name="option_value_unique")]

    def __str__(self) -> str:
        return f"{self.option_type.name}: {self.name}"


class Product(models.Model):
    """What a shopper sees; sold as one or more variants. Prices are HT (net) in EUR."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    brand = models.CharField(max_length=120, blank=True)
    vat_rate = models.ForeignKey(VatRate, on_delete=models.PROTECT, related_name="products")
    option_types = models.ManyToManyField(OptionType, blank=True, related_name="products")
    base_price_ht = models.DecimalField(max_digits=12, decimal_places=4)
    currency = models.CharField(max_length=3, default="EUR")
    tracks_lots = models.BooleanField(
        default=False,
        help_text=_("Stock is kept by batch with an expiry date; sales take the earliest first."),
    )
    is_published = models.BooleanField(default=True)
    seo_title = models.CharField(max_length=70, blank=True)
    seo_description = models.CharField(max_length=160, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(base_price_ht__gte=0), name="product_price_gte_0")]
        indexes = [models.Index(fields=["category", "is_published"])]

    def __str__(self) -> str:
        return self.name


class ProductImage(models.Model):
    """A product photo: the uploaded original (or an external URL), the colour it shows (none: every
    colour), its alt text per language and its responsive renditions, made by
    ``catalog.images.make_renditions`` after the upload commits."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(
        _("photo"),
        upload_to="products/",
        blank=True,
        width_field="width",
        height_field="height",
        validators=[validate_product_image],
        help_text=_("JPEG, PNG, WebP or AVIF; at most 15 MB and 8000 px a side."),
    )
    url = models.URLField(blank=True, help_text=_("An external image, when no file is uploaded."))
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
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # {"webp": {"320": "products/r/<hash>-320.webp", ...}, "avif": {...}}: storage names
    renditions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt or f"Image {self.position} of product {self.product_id}"


class Variant(models.Model):
    """The unit that is stocked and sold. Price is the product's unless overridden."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=64, unique=True)
    ean13 = models.CharField("EAN-13", max_length=13, unique=True, validators=[validate_ean13])
    option_values = models.ManyToManyField(OptionValue, blank=True, related_name="variants")
    price_ht_override = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    weight_grams = models.PositiveIntegerField(default=0)
    cost_price_ht = models.DecimalField(
        _("cost price (HT)"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("What a unit costs the chain, EUR excl. VAT (the ERP's purchase price): margins."),
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    # What the till's catalog delta reads (pos.selectors.store_catalog_changes): every write that
    # changes what a till carries sets it, bulk writes included (they pass it explicitly).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
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

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    author_name = models.CharField(_("name shown"), max_length=80)
    rating = models.PositiveSmallIntegerField(_("rating"))
    title = models.CharField(_("title"), max_length=120, blank=True)
    text = models.TextField(_("review"), max_length=4000)
    language = models.CharField(max_length=8, default="fr")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_5"),
            models.UniqueConstraint(fields=["product", "user"], name="review_one_per_user"),
        ]
        indexes = [models.Index(fields=["product", "status"])]

    def __str__(self) -> str:
        return f"{self.rating}/5 on {self.product_id} by {self.author_name}"
