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
        max_length=20,
        unique=True,
        help_text=_("Short code used by the API and the POS."),
        verbose_name=_("code"),
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    kind = models.CharField(
        max_length=20, choices=LocationKind.choices, default=LocationKind.STORE, verbose_name=_("kind")
    )
    address_line = models.CharField(max_length=200, blank=True, verbose_name=_("address line"))
    postal_code = models.CharField(max_length=20, blank=True, verbose_name=_("postal code"))
    city = models.CharField(max_length=100, blank=True, verbose_name=_("city"))
    country = models.CharField(max_length=2, default="FR", verbose_name=_("country"))
    phone = models.CharField(max_length=32, blank=True, verbose_name=_("phone"))
    email = models.EmailField(blank=True, verbose_name=_("e-mail"))
    opening_hours = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Per weekday, e.g. {"mon": "10:00-19:00", "sun": "closed"}'),
        verbose_name=_("opening hours"),
    )
    sells_online = models.BooleanField(
        default=True, help_text=_("The web shop ships or collects from here."), verbose_name=_("sells online")
    )
    accepts_reservations = models.BooleanField(
        default=True,
        help_text=_("A store: shoppers may reserve items online to try them here (e-reservation)."),
        verbose_name=_("accepts reservations"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def channel_group(self) -> str:
        """The Channels group that receives this location's stock changes."""
        return f"stock.{self.code}"


class StockLevel(models.Model):
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("variant")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("location")
    )
    on_hand = models.IntegerField(default=0, verbose_name=_("on hand"))
    reserved = models.IntegerField(default=0, verbose_name=_("reserved"))
    bin_location = models.CharField(
        max_length=32,
        blank=True,
        help_text=_(
            "Where it sits in this location (aisle-shelf-bin, e.g. A-03-2): picking walks in this order."
        ),
        verbose_name=_("bin location"),
    )
    low_stock_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Alert the store manager when available stock falls to this or below."),
        verbose_name=_("low stock threshold"),
    )
    version = models.PositiveBigIntegerField(
        default=0, help_text=_("Grows by one with every change."), verbose_name=_("version")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
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

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="+", verbose_name=_("location")
    )
    available_units = models.IntegerField(default=0, verbose_name=_("available units"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("product availability")
        verbose_name_plural = _("product availabilities")
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

    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="lots", verbose_name=_("variant")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="lots", verbose_name=_("location")
    )
    batch = models.CharField(max_length=64, verbose_name=_("batch"))
    expiry_date = models.DateField(null=True, blank=True, verbose_name=_("expiry date"))
    quantity = models.IntegerField(default=0, verbose_name=_("quantity"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("stock lot")
        verbose_name_plural = _("stock lots")
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

    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="stock_movements", verbose_name=_("variant")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="stock_movements", verbose_name=_("location")
    )
    lot = models.ForeignKey(
        StockLot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("lot"),
    )
    quantity = models.IntegerField(help_text=_("Change of on hand, signed."), verbose_name=_("quantity"))
    reserved_delta = models.IntegerField(
        default=0, help_text=_("Change of reserved, signed."), verbose_name=_("reserved delta")
    )
    reason = models.CharField(max_length=32, choices=MovementReason.choices, verbose_name=_("reason"))
    reference = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("Order, transfer, count or document."),
        verbose_name=_("reference"),
    )
    reservation = models.ForeignKey(
        "Reservation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("reservation"),
    )
    transfer_id = models.UUIDField(null=True, blank=True, db_index=True, verbose_name=_("transfer"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
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
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="reservations", verbose_name=_("variant")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("location")
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    status = models.CharField(
        max_length=16,
        choices=ReservationStatus.choices,
        default=ReservationStatus.ACTIVE,
        verbose_name=_("status"),
    )
    reference = models.CharField(max_length=120, blank=True, verbose_name=_("reference"))
    expires_at = models.DateTimeField(db_index=True, verbose_name=_("expires at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_gt_0")]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Reservation {self.id} {self.quantity}x{self.variant_id}@{self.location_id} {self.status}"


class StockAlert(models.Model):
    """Raised when available stock crosses a level's low-stock threshold downwards."""

    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="stock_alerts", verbose_name=_("variant")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="stock_alerts", verbose_name=_("location")
    )
    threshold = models.PositiveIntegerField(verbose_name=_("threshold"))
    available = models.IntegerField(
        help_text=_("Available stock when the alert was raised."), verbose_name=_("available")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    emailed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("emailed at"))
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        verbose_name = _("stock alert")
        verbose_name_plural = _("stock alerts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Low stock {self.variant_id}@{self.location_id}: {self.available} <= {self.threshold}"
