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
    number = models.CharField(
        max_length=32, unique=True, help_text=_("EXP-2026-000001"), verbose_name=_("number")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    location = models.ForeignKey(
        "inventory.Location",
        on_delete=models.PROTECT,
        related_name="shipments",
        help_text=_("Shipped from."),
        verbose_name=_("location"),
    )
    carrier = models.CharField(
        max_length=20,
        help_text=_("The carrier's code (courier: the store's own)."),
        verbose_name=_("carrier"),
    )
    status = models.CharField(
        max_length=20,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.TO_PICK,
        verbose_name=_("status"),
    )
    routing = models.CharField(
        max_length=250,
        blank=True,
        help_text=_("Why it ships from here (the routing rule's words)."),
        verbose_name=_("routing"),
    )
    wave = models.ForeignKey(
        "logistics.PickWave",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shipments",
        verbose_name=_("wave"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    shipped_at = models.DateTimeField(null=True, blank=True, verbose_name=_("shipped at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["location", "status"])]

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("shipment")
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="shipment_lines",
        verbose_name=_("order line"),
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    quantity_picked = models.PositiveIntegerField(default=0, verbose_name=_("quantity picked"))
    quantity_scanned = models.PositiveIntegerField(
        default=0,
        help_text=_("Units verified by scan at the packing bench (not above picked)."),
        verbose_name=_("quantity scanned"),
    )
    quantity_packed = models.PositiveIntegerField(default=0, verbose_name=_("quantity packed"))

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
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
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="parcels", verbose_name=_("shipment")
    )
    parcel_type = models.CharField(
        max_length=12, choices=ParcelType.choices, default=ParcelType.SMALL, verbose_name=_("parcel type")
    )
    weight_grams = models.PositiveIntegerField(verbose_name=_("weight (g)"))
    label_status = models.CharField(
        max_length=10,
        choices=LabelStatus.choices,
        default=LabelStatus.PENDING,
        verbose_name=_("label status"),
    )
    label_error = models.CharField(
        max_length=250, blank=True, help_text=_("Why the carrier refused it."), verbose_name=_("label error")
    )
    label_attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("label attempts"))
    label_pdf = models.FileField(upload_to="labels/%Y/%m/", blank=True, verbose_name=_("label PDF"))
    label_claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("A label task is asking the carrier since then (one at a time)."),
        verbose_name=_("label claimed at"),
    )
    tracking_number = models.CharField(max_length=64, blank=True, verbose_name=_("tracking number"))
    tracking_url = models.CharField(max_length=300, blank=True, verbose_name=_("tracking URL"))
    carrier_reference = models.CharField(max_length=120, blank=True, verbose_name=_("carrier reference"))
    status = models.CharField(
        max_length=20,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.PACKED,
        help_text=_("Where the parcel is, from the carrier's tracking."),
        verbose_name=_("status"),
    )
    tracked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the carrier's tracking was last asked for (polling)."),
        verbose_name=_("tracked at"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
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

    parcel = models.ForeignKey(
        Parcel, on_delete=models.CASCADE, related_name="items", verbose_name=_("parcel")
    )
    shipment_line = models.ForeignKey(
        ShipmentLine, on_delete=models.CASCADE, related_name="parcel_items", verbose_name=_("shipment line")
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))

    class Meta:
        verbose_name = _("parcel item")
        verbose_name_plural = _("parcel items")
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

    parcel = models.ForeignKey(
        Parcel, on_delete=models.CASCADE, related_name="events", verbose_name=_("parcel")
    )
    event_key = models.CharField(
        max_length=120, help_text=_("The carrier's event id, or code+time."), verbose_name=_("event key")
    )
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices, verbose_name=_("status"))
    code = models.CharField(
        max_length=40, blank=True, help_text=_("The carrier's own event code."), verbose_name=_("code")
    )
    description = models.CharField(max_length=250, blank=True, verbose_name=_("description"))
    place = models.CharField(max_length=120, blank=True, verbose_name=_("place"))
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    source = models.CharField(max_length=10, choices=TrackingSource.choices, verbose_name=_("source"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
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

    number = models.CharField(
        max_length=32, unique=True, help_text=_("VAG-2026-000001"), verbose_name=_("number")
    )
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="pick_waves", verbose_name=_("location")
    )
    status = models.CharField(
        max_length=10, choices=WaveStatus.choices, default=WaveStatus.OPEN, verbose_name=_("status")
    )
    pdf = models.FileField(upload_to="picking/%Y/%m/", blank=True, verbose_name=_("PDF"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))

    class Meta:
        verbose_name = _("pick wave")
        verbose_name_plural = _("pick waves")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class PickLine(models.Model):
    wave = models.ForeignKey(PickWave, on_delete=models.CASCADE, related_name="lines", verbose_name=_("wave"))
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="+", verbose_name=_("variant")
    )
    sku = models.CharField(max_length=64, verbose_name=_("SKU"))
    barcode = models.CharField(max_length=64, blank=True, verbose_name=_("barcode"))
    bin_location = models.CharField(max_length=32, blank=True, verbose_name=_("bin location"))
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    quantity_picked = models.PositiveIntegerField(default=0, verbose_name=_("quantity picked"))
    shipment_lines = models.ManyToManyField(
        ShipmentLine, related_name="pick_lines", verbose_name=_("shipment lines")
    )
    sort_key = models.PositiveIntegerField(default=0, verbose_name=_("sort key"))

    class Meta:
        verbose_name = _("pick line")
        verbose_name_plural = _("pick lines")
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

    pick_line = models.ForeignKey(
        PickLine, on_delete=models.CASCADE, related_name="discrepancies", verbose_name=_("pick line")
    )
    expected = models.PositiveIntegerField(verbose_name=_("expected"))
    picked = models.PositiveIntegerField(verbose_name=_("picked"))
    note = models.CharField(max_length=250, blank=True, verbose_name=_("note"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reported by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("pick discrepancy")
        ordering = ["-created_at"]
        verbose_name_plural = _("pick discrepancies")

    def __str__(self) -> str:
        return f"{self.pick_line_id}: {self.picked}/{self.expected}"
