"""Shipments, parcels, tracking and picking: how a paid home-delivery order leaves a location.

Logistics owns these tables; it never writes order or stock rows itself (it calls
``orders.services`` and ``inventory.services``). A shipment is the part of one order that leaves
one location (routing: ``orders.services.routing``); it is picked in a wave, packed into one or more
parcels, each parcel gets a carrier label and a tracking number, and tracking events move it on.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ShipmentStatus(models.TextChoices):
    TO_PICK = "to_pick", _("To pick")
    PICKING = "picking", _("Picking")
    PICKED = "picked", _("Picked")
    PACKED = "packed", _("Packed")  # every unit verified and in a parcel; labels asked for
    LABELLED = "labelled", _("Labels printed")  # every parcel has its label: ready to hand over
    SHIPPED = "shipped", _("Shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Delivery problem")
    CANCELLED = "cancelled", _("Cancelled")


class Shipment(models.Model):
    number = models.CharField(max_length=32, unique=True, help_text=_("EXP-2026-000001"))
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments")
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="shipments", help_text=_("Shipped from.")
    )
    carrier = models.CharField(max_length=20, help_text=_("The carrier's code (courier: the store's own)."))
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.TO_PICK)
    routing = models.CharField(
        max_length=250, blank=True, help_text=_("Why it ships from here (the routing rule's words).")
    )
    wave = models.ForeignKey(
        "logistics.PickWave", null=True, blank=True, on_delete=models.SET_NULL, related_name="shipments"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["location", "status"])]

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = models.PositiveIntegerField()
    quantity_picked = models.PositiveIntegerField(default=0)
    quantity_scanned = models.PositiveIntegerField(
        default=0, help_text=_("Units verified by scan at the packing bench (not above picked).")
    )
    quantity_packed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "order_line"], name="shipment_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(quantity_picked__lte=models.F("quantity")), name="shipment_line_picked_lte_qty"
            ),
            models.CheckConstraint(
                condition=Q(quantity_packed__lte=models.F("quantity")), name="shipment_line_packed_lte_qty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line_id}"


class ParcelType(models.TextChoices):
    ENVELOPE = "envelope", _("Padded envelope")
    SMALL = "small", _("Small box")
    MEDIUM = "medium", _("Medium box")
    LARGE = "large", _("Large box")


class LabelStatus(models.TextChoices):
    PENDING = "pending", _("Label requested")
    READY = "ready", _("Label ready")
    FAILED = "failed", _("Label failed")


class Parcel(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="parcels")
    parcel_type = models.CharField(max_length=12, choices=ParcelType.choices, default=ParcelType.SMALL)
    weight_grams = models.PositiveIntegerField()
    label_status = models.CharField(max_length=10, choices=LabelStatus.choices, default=LabelStatus.PENDING)
    label_error = models.CharField(max_length=250, blank=True, help_text=_("Why the carrier refused it."))
    label_attempts = models.PositiveSmallIntegerField(default=0)
    label_pdf = models.FileField(upload_to="labels/%Y/%m/", blank=True)
    label_claimed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("A label task is asking the carrier since then (one at a time).")
    )
    tracking_number = models.CharField(max_length=64, blank=True)
    tracking_url = models.CharField(max_length=300, blank=True)
    carrier_reference = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        max_length=20,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.PACKED,
        help_text=_("Where the parcel is, from the carrier's tracking."),
    )
    tracked_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the carrier's tracking was last asked for (polling).")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight_grams__gt=0), name="parcel_weight_gt_0"),
            models.UniqueConstraint(
                fields=["tracking_number"], condition=~Q(tracking_number=""), name="parcel_tracking_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number or f"parcel {self.pk}"


class ParcelItem(models.Model):
    """Which units of a shipment went into which parcel (packing)."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="items")
    shipment_line = models.ForeignKey(ShipmentLine, on_delete=models.CASCADE, related_name="parcel_items")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parcel", "shipment_line"], name="parcel_item_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="parcel_item_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.shipment_line_id} in {self.parcel_id}"


class TrackingSource(models.TextChoices):
    POLL = "poll", _("Polled")
    WEBHOOK = "webhook", _("Pushed by the carrier")
    STAFF = "staff", _("Entered by staff")


class TrackingEvent(models.Model):
    """One carrier scan of a parcel; ``event_key`` makes a replayed event change nothing."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="events")
    event_key = models.CharField(max_length=120, help_text=_("The carrier's event id, or code+time."))
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices)
    code = models.CharField(max_length=40, blank=True, help_text=_("The carrier's own event code."))
    description = models.CharField(max_length=250, blank=True)
    place = models.CharField(max_length=120, blank=True)
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=TrackingSource.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parcel", "event_key"], name="tracking_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id} {self.status} {self.occurred_at:%Y-%m-%d %H:%M}"


class WaveStatus(models.TextChoices):
    OPEN = "open", _("To pick")
    PICKING = "picking", _("Picking")
    DONE = "done", _("Picked")


class PickWave(models.Model):
    """Many orders picked at once at one location: one line per SKU, sorted by bin."""

    number = models.CharField(max_length=32, unique=True, help_text=_("VAG-2026-000001"))
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="pick_waves")
    status = models.CharField(max_length=10, choices=WaveStatus.choices, default=WaveStatus.OPEN)
    pdf = models.FileField(upload_to="picking/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class PickLine(models.Model):
    wave = models.ForeignKey(PickWave, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    barcode = models.CharField(max_length=64, blank=True)
    bin_location = models.CharField(max_length=32, blank=True)
    quantity = models.PositiveIntegerField()
    quantity_picked = models.PositiveIntegerField(default=0)
    shipment_lines = models.ManyToManyField(ShipmentLine, related_name="pick_lines")
    sort_key = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "variant"], name="pick_line_unique_variant"),
            models.CheckConstraint(
                condition=Q(quantity_picked__lte=models.F("quantity")), name="pick_line_picked_lte_qty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bin_location or '-'} {self.sku} x{self.quantity}"


class PickDiscrepancy(models.Model):
    """A short pick: fewer units on the shelf than the stock said."""

    pick_line = models.ForeignKey(PickLine, on_delete=models.CASCADE, related_name="discrepancies")
    expected = models.PositiveIntegerField()
    picked = models.PositiveIntegerField()
    note = models.CharField(max_length=250, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("pick discrepancies")

    def __str__(self) -> str:
        return f"{self.pick_line_id}: {self.picked}/{self.expected}"
