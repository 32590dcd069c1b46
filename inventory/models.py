"""One stock truth: levels per variant and location, and the append-only ledger that explains them.

Only ``inventory.services`` writes to these tables. For every (variant, location):
``on_hand == sum(movement.quantity)`` and ``reserved == sum(movement.reserved_delta)``;
``manage.py check_stock`` verifies it.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class LocationKind(models.TextChoices):
    STORE = "store", _("Store")
    WAREHOUSE = "warehouse", _("Warehouse")


class Location(models.Model):
    code = models.SlugField(
        max_length=20, unique=True, help_text=_("Short code used by the API and the POS.")
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=LocationKind.choices, default=LocationKind.STORE)
    address_line = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="FR")
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    opening_hours = models.JSONField(
        default=dict, blank=True, help_text=_('Per weekday, e.g. {"mon": "10:00-19:00", "sun": "closed"}')
    )
    sells_online = models.BooleanField(default=True, help_text=_("The web shop ships or collects from here."))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def channel_group(self) -> str:
        """The Channels group that receives this location's stock changes."""
        return f"stock.{self.code}"


class StockLevel(models.Model):
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="stock_levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    bin_location = models.CharField(
        max_length=32,
        blank=True,
        help_text=_(
            "Where it sits in this location (aisle-shelf-bin, e.g. A-03-2): picking walks in this order."
        ),
    )
    low_stock_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Alert the store manager when available stock falls to this or below."),
    )
    version = models.PositiveBigIntegerField(default=0, help_text=_("Grows by one with every change."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "location"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_lte_on_hand"
            ),
        ]
        indexes = [models.Index(fields=["location", "variant"])]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.location_id}: {self.on_hand} ({self.reserved} reserved)"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class ProductAvailability(models.Model):
    """Units of a product available (on hand minus reserved, its active variants added up) at one
    location: what the shop's "in stock at this store" filter reads, one indexed probe per product.

    Derived from ``StockLevel`` and kept right in the same transaction by every stock write
    (``inventory.services.levels._move_availability``, one upsert per batch); the catalog's
    ``ProductsChanged`` (a variant switched on or off) recomputes the product's rows. ``manage.py
    check_availability`` compares it with the levels and ``--fix`` rebuilds it.
    """

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    available_units = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["location", "product"], name="product_availability_unique"),
        ]
        indexes = [
            # The filter's probe: (location, product) of the rows that have something to sell.
            models.Index(
                fields=["product", "location"],
                condition=Q(available_units__gt=0),
                name="product_availability_in_stock",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.available_units}"


class StockLot(models.Model):
    """A batch of a lot-tracked variant at a location. Sum of lots == on hand for such variants."""

    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="lots")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="lots")
    batch = models.CharField(max_length=64)
    expiry_date = models.DateField(null=True, blank=True)
    quantity = models.IntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expiry_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "location", "batch"], name="stock_lot_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_lot_quantity_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} (exp. {self.expiry_date}): {self.quantity}"


class MovementReason(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return to stock")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    COUNT_ADJUSTMENT = "count_adjustment", _("Count adjustment")
    LOSS = "loss", _("Loss or damage")
    RESERVATION_TAKEN = "reservation_taken", _("Reservation taken")
    RESERVATION_RELEASED = "reservation_released", _("Reservation released")
    RESERVATION_EXPIRED = "reservation_expired", _("Reservation expired")
    RESERVATION_COMMITTED = "reservation_committed", _("Reservation committed (sold)")


class StockMovement(models.Model):
    """One row per stock change; never updated, never deleted (a PostgreSQL trigger enforces it)."""

    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="stock_movements")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_movements")
    lot = models.ForeignKey(
        StockLot, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    quantity = models.IntegerField(help_text=_("Change of on hand, signed."))
    reserved_delta = models.IntegerField(default=0, help_text=_("Change of reserved, signed."))
    reason = models.CharField(max_length=32, choices=MovementReason.choices)
    reference = models.CharField(
        max_length=120, blank=True, help_text=_("Order, transfer, count or document.")
    )
    reservation = models.ForeignKey(
        "Reservation", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    transfer_id = models.UUIDField(null=True, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["variant", "location", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(quantity=0) & Q(reserved_delta=0)), name="stock_movement_changes_something"
            )
        ]
        permissions = [
            ("record_sale", "Can record sales and returns at their store"),
            ("receive_stock", "Can receive stock and record losses"),
            ("adjust_stock", "Can record stock counts"),
            ("transfer_stock", "Can transfer stock between locations"),
            ("reserve_stock", "Can reserve, release and commit stock"),
            ("act_on_any_location", "Can change stock at any location, not only their own store"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.reason} {self.quantity:+d}/{self.reserved_delta:+d} {self.variant_id}@{self.location_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("Stock movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Stock movements are append-only")


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    EXPIRED = "expired", _("Expired")
    COMMITTED = "committed", _("Committed")


class Reservation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="reservations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE
    )
    reference = models.CharField(max_length=120, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_gt_0")]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Reservation {self.id} {self.quantity}x{self.variant_id}@{self.location_id} {self.status}"


class StockAlert(models.Model):
    """Raised when available stock crosses a level's low-stock threshold downwards."""

    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="stock_alerts")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_alerts")
    threshold = models.PositiveIntegerField()
    available = models.IntegerField(help_text=_("Available stock when the alert was raised."))
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Low stock {self.variant_id}@{self.location_id}: {self.available} <= {self.threshold}"
