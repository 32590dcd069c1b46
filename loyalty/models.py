"""Loyalty: the points ledger (append-only, its sum is the balance), one account per customer (the
balance cache, the tier) and the rules staff edit in the admin (earn rule, category multipliers,
tiers). Only ``loyalty.services`` writes the ledger and the accounts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    REVERSE = "reverse", _("Reversed")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjusted")


class Tier(models.Model):
    """Silver, gold, platinum: reached on a rolling 12-month spend (TTC, EUR, after discounts, no
    shipping), with its benefits. ``rank`` orders them (higher is better)."""

    code = models.SlugField(max_length=20, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=60, verbose_name=_("name"))
    rank = models.PositiveSmallIntegerField(unique=True, verbose_name=_("rank"))
    threshold_eur = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text=_("Spend over the last 12 months that reaches the tier."),
        verbose_name=_("threshold (EUR)"),
    )
    earn_multiplier = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1.00"), verbose_name=_("earn multiplier")
    )
    discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Permanent discount, %."),
        verbose_name=_("discount percent"),
    )
    free_shipping = models.BooleanField(default=False, verbose_name=_("free shipping"))
    early_access = models.BooleanField(
        default=False, help_text=_("Early access to sales."), verbose_name=_("early access")
    )

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold_eur__gte=0), name="loyalty_tier_threshold_gte_0"),
            models.CheckConstraint(condition=Q(earn_multiplier__gt=0), name="loyalty_tier_multiplier_gt_0"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="loyalty_tier_discount_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EarnRule(models.Model):
    """How many points a euro earns. The active rule with the latest ``valid_from`` applies; an
    optional bonus multiplier (a "double points" promotion) applies to purchases made between
    ``bonus_starts_at`` and ``bonus_ends_at``."""

    name = models.CharField(max_length=80, verbose_name=_("name"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    valid_from = models.DateTimeField(verbose_name=_("valid from"))
    points_per_euro = models.DecimalField(
        max_digits=7, decimal_places=3, default=Decimal("1.000"), verbose_name=_("points per euro")
    )
    bonus_multiplier = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1.00"), verbose_name=_("bonus multiplier")
    )
    bonus_starts_at = models.DateTimeField(null=True, blank=True, verbose_name=_("bonus starts at"))
    bonus_ends_at = models.DateTimeField(null=True, blank=True, verbose_name=_("bonus ends at"))

    class Meta:
        verbose_name = _("earn rule")
        verbose_name_plural = _("earn rules")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(points_per_euro__gte=0), name="loyalty_rule_points_gte_0"),
            models.CheckConstraint(condition=Q(bonus_multiplier__gt=0), name="loyalty_rule_bonus_gt_0"),
        ]

    def __str__(self) -> str:
        return self.name


class CategoryMultiplier(models.Model):
    """Points of a category's lines multiplied (e.g. 2x on a category staff want to push)."""

    rule = models.ForeignKey(
        EarnRule, on_delete=models.CASCADE, related_name="category_multipliers", verbose_name=_("rule")
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    multiplier = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("multiplier"))

    class Meta:
        verbose_name = _("category multiplier")
        verbose_name_plural = _("category multipliers")
        constraints = [
            models.UniqueConstraint(fields=["rule", "category"], name="loyalty_category_multiplier_unique"),
            models.CheckConstraint(condition=Q(multiplier__gte=0), name="loyalty_category_multiplier_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.category} x{self.multiplier}"


class LoyaltyAccount(models.Model):
    """One per customer: the balance (a cache of the ledger's sum, ``check_loyalty`` proves it) and
    the tier. Every writer locks this row first (``select_for_update``)."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="loyalty_account",
        verbose_name=_("customer"),
    )
    balance = models.IntegerField(default=0, verbose_name=_("balance"))
    tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("tier")
    )
    tier_since = models.DateTimeField(null=True, blank=True, verbose_name=_("tier since"))
    grace_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Below the tier's threshold: downgraded at night after this."),
        verbose_name=_("grace until"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("loyalty account")
        verbose_name_plural = _("loyalty accounts")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="loyalty_balance_gte_0")]

    def __str__(self) -> str:
        return f"{self.customer} ({self.balance})"


class PointsEntry(models.Model):
    """Append-only: one row per movement of points, never updated or deleted."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="points_entries",
        verbose_name=_("customer"),
    )
    kind = models.CharField(max_length=10, choices=EntryKind.choices, verbose_name=_("kind"))
    points = models.IntegerField(
        help_text=_("Signed: positive credits, negative debits."), verbose_name=_("points")
    )
    spend_eur = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Spend the entry counts towards the tier (earn +, reverse -), TTC, EUR."),
        verbose_name=_("spend (EUR)"),
    )
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("order"),
    )
    source_key = models.CharField(max_length=80, unique=True, verbose_name=_("source key"))
    coupon = models.ForeignKey(
        "pricing.Coupon",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Redeem: the voucher the points became; its refund gives them back."),
        verbose_name=_("coupon"),
    )
    reason = models.CharField(max_length=250, blank=True, verbose_name=_("reason"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("points entry")
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("points entries")
        indexes = [models.Index(fields=["customer", "-created_at"])]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="loyalty_entry_points_not_0")]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d} ({self.source_key})"
