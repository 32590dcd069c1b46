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

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    rank = models.PositiveSmallIntegerField(unique=True)
    threshold_eur = models.DecimalField(
        max_digits=12, decimal_places=2, help_text=_("Spend over the last 12 months that reaches the tier.")
    )
    earn_multiplier = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1.00"))
    discount_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0.00"), help_text=_("Permanent discount, %.")
    )
    free_shipping = models.BooleanField(default=False)
    early_access = models.BooleanField(default=False, help_text=_("Early access to sales."))

    class Meta:
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

    name = models.CharField(max_length=80)
    active = models.BooleanField(default=True)
    valid_from = models.DateTimeField()
    points_per_euro = models.DecimalField(max_digits=7, decimal_places=3, default=Decimal("1.000"))
    bonus_multiplier = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1.00"))
    bonus_starts_at = models.DateTimeField(null=True, blank=True)
    bonus_ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(points_per_euro__gte=0), name="loyalty_rule_points_gte_0"),
            models.CheckConstraint(condition=Q(bonus_multiplier__gt=0), name="loyalty_rule_bonus_gt_0"),
        ]

    def __str__(self) -> str:
        return self.name


class CategoryMultiplier(models.Model):
    """Points of a category's lines multiplied (e.g. 2x on a category staff want to push)."""

    rule = models.ForeignKey(EarnRule, on_delete=models.CASCADE, related_name="category_multipliers")
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+")
    multiplier = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loyalty_account"
    )
    balance = models.IntegerField(default=0)
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    tier_since = models.DateTimeField(null=True, blank=True)
    grace_until = models.DateTimeField(
        null=True, blank=True, help_text=_("Below the tier's threshold: downgraded at night after this.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="loyalty_balance_gte_0")]

    def __str__(self) -> str:
        return f"{self.customer} ({self.balance})"


class PointsEntry(models.Model):
    """Append-only: one row per movement of points, never updated or deleted."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_entries"
    )
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    points = models.IntegerField(help_text=_("Signed: positive credits, negative debits."))
    spend_eur = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Spend the entry counts towards the tier (earn +, reverse -), TTC, EUR."),
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_key = models.CharField(max_length=80, unique=True)
    coupon = models.ForeignKey(
        "pricing.Coupon",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Redeem: the voucher the points became; its refund gives them back."),
    )
    reason = models.CharField(max_length=250, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "points entries"
        indexes = [models.Index(fields=["customer", "-created_at"])]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="loyalty_entry_points_not_0")]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d} ({self.source_key})"
