"""Return requests (RMA) from the customer portal: asked by the shopper, received and inspected by
a store or the warehouse, then refunded. Stock and money move through the owning apps' services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReturnMethod(models.TextChoices):
    STORE = "store", _("Bring it to a store")
    POST = "post", _("Send it by post")


class ReturnRefundChoice(models.TextChoices):
    ORIGINAL = "original", _("To my original payment")
    STORE_CREDIT = "store_credit", _("As store credit")


class ReturnRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    LABEL_FAILED = "label_failed", _("Return label failed")
    AWAITING = "awaiting", _("Awaiting the parcel")  # label ready, or to be brought to a store
    RECEIVED = "received", _("Received and inspected")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


class ReturnReason(models.TextChoices):
    TOO_SMALL = "too_small", _("Too small")
    TOO_LARGE = "too_large", _("Too large")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    DAMAGED = "damaged", _("Arrived damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    CHANGED_MIND = "changed_mind", _("Changed my mind")
    OTHER = "other", _("Other")


class ReturnRequest(models.Model):
    number = models.CharField(
        max_length=32,
        unique=True,
        help_text=_("RMA-2026-000001: also its barcode."),
        verbose_name=_("number"),
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="return_requests", verbose_name=_("order")
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("customer"),
    )
    status = models.CharField(
        max_length=14,
        choices=ReturnRequestStatus.choices,
        default=ReturnRequestStatus.REQUESTED,
        verbose_name=_("status"),
    )
    method = models.CharField(max_length=8, choices=ReturnMethod.choices, verbose_name=_("method"))
    refund_choice = models.CharField(
        max_length=14,
        choices=ReturnRefundChoice.choices,
        default=ReturnRefundChoice.ORIGINAL,
        verbose_name=_("refund choice"),
    )
    carrier = models.CharField(max_length=20, blank=True, verbose_name=_("carrier"))
    tracking_number = models.CharField(max_length=64, blank=True, verbose_name=_("tracking number"))
    label_pdf = models.FileField(upload_to="return-labels/%Y/%m/", blank=True, verbose_name=_("label PDF"))
    label_error = models.CharField(max_length=250, blank=True, verbose_name=_("label error"))
    received_at_location = models.ForeignKey(
        "inventory.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received at location"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(null=True, blank=True, verbose_name=_("received at"))
    refund_amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("refund amount")
    )
    refund_reference = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("The refund id, or the store credit code."),
        verbose_name=_("refund reference"),
    )
    refunded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("refunded at"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="return_request_refund_gte_0"),
        ]

    def __str__(self) -> str:
        return self.number


class ReturnRequestLine(models.Model):
    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("request")
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="+", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    reason = models.CharField(max_length=20, choices=ReturnReason.choices, verbose_name=_("reason"))
    comment = models.CharField(max_length=250, blank=True, verbose_name=_("comment"))
    quantity_resellable = models.PositiveIntegerField(
        default=0, help_text=_("Set at inspection."), verbose_name=_("quantity resellable")
    )
    quantity_damaged = models.PositiveIntegerField(
        default=0, help_text=_("Set at inspection."), verbose_name=_("quantity damaged")
    )
    refund_gross = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("refund gross")
    )

    class Meta:
        verbose_name = _("return request line")
        verbose_name_plural = _("return request lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "order_line"], name="return_request_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_request_line_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(quantity_resellable__lte=models.F("quantity") - models.F("quantity_damaged")),
                name="return_request_line_inspected_lte_qty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line_id}"
