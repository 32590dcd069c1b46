"""Prices beyond the catalog's base price: price lists, currency rates, promotions and coupons.

All amounts are net (HT) in the list's currency unless named ``_ttc``. Rounding to the cent happens
once, in ``catalog.models.money_round``, when a figure is shown or charged.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

# Re-exported: pricing's callers keep importing it from here (a shop's currencies use core's).
from core.money import SUPPORTED_CURRENCIES as SUPPORTED_CURRENCIES


class Channel(models.TextChoices):
    ANY = "any", _("Every channel")
    WEB = "web", _("Web shop")
    STORE = "store", _("Stores")


class CurrencyRate(models.Model):
    """How many units of ``currency`` one euro buys. Staff maintain it; EUR is always 1."""

    currency = models.CharField(
        max_length=3, unique=True, choices=SUPPORTED_CURRENCIES, verbose_name=_("currency")
    )
    rate = models.DecimalField(max_digits=12, decimal_places=6, verbose_name=_("rate"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("currency rate")
        verbose_name_plural = _("currency rates")
        constraints = [models.CheckConstraint(condition=Q(rate__gt=0), name="currency_rate_gt_0")]

    def __str__(self) -> str:
        return f"1 EUR = {self.rate} {self.currency}"


class PriceList(models.Model):
    """Overrides the base price for a company, a customer group, a shop, a channel and/or a store.

    Which entry applies (``pricing.resolution``): the most specific list first (the customer's
    company, then its group, then the request's shop, then the lists for everybody), then the highest
    priority, then the largest quantity break the quantity reaches, then the lowest price. A list of
    another shop never applies; the till (no shop) sees only the lists without a shop."""

    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    customer_group = models.ForeignKey(
        "accounts.CustomerGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_lists",
        verbose_name=_("customer group"),
    )
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_lists",
        verbose_name=_("company"),
        help_text=_("A B2B company's own prices: they come before its group's and the general lists."),
    )
    shop = models.ForeignKey(
        "shops.Shop",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_lists",
        verbose_name=_("shop"),
        help_text=_(
            "Only on this shop's pages, carts and checkout; it comes after the company's and the group's "
            "lists, before the general ones. Empty: every shop and the stores."
        ),
    )
    channel = models.CharField(
        max_length=8, choices=Channel.choices, default=Channel.ANY, verbose_name=_("channel")
    )
    location = models.ForeignKey(
        "inventory.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_lists",
        verbose_name=_("location"),
    )
    priority = models.IntegerField(default=0, verbose_name=_("priority"))
    starts_at = models.DateTimeField(null=True, blank=True, verbose_name=_("starts at"))
    ends_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ends at"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, verbose_name=_("updated at")
    )  # the till's catalog delta

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-priority", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="price_list_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PriceListEntry(models.Model):
    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("price list")
    )
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="price_entries", verbose_name=_("variant")
    )
    price_ht = models.DecimalField(max_digits=12, decimal_places=4, verbose_name=_("price (HT)"))
    min_quantity = models.PositiveIntegerField(
        default=1,
        verbose_name=_("from quantity"),
        help_text=_("A quantity break: this price applies from this many units in the order line."),
    )
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, verbose_name=_("updated at")
    )  # the till's catalog delta

    class Meta:
        verbose_name = _("price list entry")
        verbose_name_plural = _("price list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "variant", "min_quantity"], name="price_entry_unique"
            ),
            models.CheckConstraint(condition=Q(price_ht__gte=0), name="price_entry_gte_0"),
            models.CheckConstraint(condition=Q(min_quantity__gte=1), name="price_entry_min_quantity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}: {self.variant_id} at {self.price_ht}"


class DiscountKind(models.TextChoices):
    PERCENT = "percent", _("Percentage")
    FIXED = "fixed", _("Fixed amount (EUR, incl. VAT)")


class Promotion(models.Model):
    """A discount on the basket: national (no location) or for one store; every shop (no ``shops``)
    or only some web shops; automatic or by coupon."""

    name = models.CharField(max_length=120, verbose_name=_("name"))
    kind = models.CharField(max_length=8, choices=DiscountKind.choices, verbose_name=_("kind"))
    value = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("value"))
    location = models.ForeignKey(
        "inventory.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="promotions",
        help_text=_("Empty: every store and the web shop."),
        verbose_name=_("location"),
    )
    channel = models.CharField(
        max_length=8, choices=Channel.choices, default=Channel.ANY, verbose_name=_("channel")
    )
    shops = models.ManyToManyField(
        "shops.Shop",
        blank=True,
        related_name="promotions",
        verbose_name=_("shops"),
        help_text=_("Only on these shops (not at the tills). None: every shop and the stores."),
    )
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    min_basket_ttc = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), verbose_name=_("minimum basket (TTC)")
    )
    requires_coupon = models.BooleanField(default=False, verbose_name=_("requires coupon"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    early_access_starts_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Customers whose tier has early access get the promotion from this moment."),
        verbose_name=_("early access starts at"),
    )

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="promotion_value_gt_0"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="promotion_percent_lte_100"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="promotion_dates_ordered"),
            models.CheckConstraint(condition=Q(min_basket_ttc__gte=0), name="promotion_min_basket_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name


class CouponOrigin(models.TextChoices):
    STAFF = "staff", _("Staff")
    LOYALTY_REWARD = "loyalty_reward", _("Loyalty reward (points)")
    BIRTHDAY = "birthday", _("Birthday")
    WIN_BACK = "win_back", _("Win-back")
    TIER_WELCOME = "tier_welcome", _("Tier welcome")
    ABANDONED_CART = "abandoned_cart", _("Abandoned cart")
    CAMPAIGN = "campaign", _("Campaign")


class Coupon(models.Model):
    promotion = models.ForeignKey(
        Promotion, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("promotion")
    )
    code = models.CharField(max_length=40, verbose_name=_("code"))
    max_uses = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Empty: unlimited."), verbose_name=_("maximum uses")
    )
    max_uses_per_customer = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Empty: unlimited."), verbose_name=_("maximum uses per customer")
    )
    times_used = models.PositiveIntegerField(default=0, verbose_name=_("times used"))
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="personal_coupons",
        help_text=_("A personal coupon: only this customer may use it. Empty: anybody."),
        verbose_name=_("customer"),
    )
    origin = models.CharField(
        max_length=20,
        choices=CouponOrigin.choices,
        default=CouponOrigin.STAFF,
        help_text=_("Who made it: staff, or a loyalty or marketing automation."),
        verbose_name=_("origin"),
    )
    source_key = models.CharField(
        max_length=80,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Set by automations (e.g. birthday:42:2026) so a coupon is generated once."),
        verbose_name=_("source key"),
    )
    created_at = models.DateTimeField(auto_now_add=True, null=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.UniqueConstraint(Upper("code"), name="coupon_code_ci_unique"),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(times_used__lte=F("max_uses")),
                name="coupon_uses_within_max",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponRedemption(models.Model):
    """One use of a coupon, append-only; ``times_used`` counts these."""

    coupon = models.ForeignKey(
        Coupon, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("coupon")
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coupon_redemptions",
        verbose_name=_("customer"),
    )
    customer_email = models.EmailField(blank=True, verbose_name=_("customer e-mail"))
    reference = models.CharField(
        max_length=120, help_text=_("The order or sale that used it."), verbose_name=_("reference")
    )
    discount_ttc = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("discount (TTC)"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("coupon redemption")
        verbose_name_plural = _("coupon redemptions")
        constraints = [
            models.UniqueConstraint(fields=["coupon", "reference"], name="coupon_redemption_once_per_ref")
        ]

    def __str__(self) -> str:
        return f"{self.coupon_id} for {self.reference}"


class CustomerBenefit(models.Model):
    """What a customer's standing gives them on every basket, on both channels: a permanent discount,
    free shipping, early access to sales. Written by the app that grants it (loyalty, for the tier);
    read by carts and the till through ``pricing.services.customer_benefit``."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pricing_benefit",
        verbose_name=_("customer"),
    )
    discount_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0.00"), verbose_name=_("discount percent")
    )
    free_shipping = models.BooleanField(default=False, verbose_name=_("free shipping"))
    early_access = models.BooleanField(default=False, verbose_name=_("early access"))
    source = models.CharField(
        max_length=40, help_text=_("What grants it, e.g. loyalty tier gold."), verbose_name=_("source")
    )
    label = models.CharField(
        max_length=60,
        blank=True,
        help_text=_('The name shown to the customer, e.g. Gold ("Gold member -5 %").'),
        verbose_name=_("label"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("customer benefit")
        verbose_name_plural = _("customer benefits")
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="customer_benefit_discount_0_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.source}"
