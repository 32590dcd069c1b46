"""Order export batches and what each one holds (imported by ``integrations.models``).

Only ``integrations.exports.services`` writes these tables.

- ``ExportStream``: one row per exported flow (``orders``); its row is the builders' lock and keeps
  the cursor (the last order event exported).
- ``OrderBatch``: one file for the ERP, built once (its bytes and their SHA-256 stored), then sent
  (written to the outbox folder; written again, the same bytes, while unacknowledged), then
  acknowledged by the ERP (API or ack file).
- ``ExportedDocument``: membership. Every document (an order, a cancellation, a refund, a till
  return) has a ``document_key`` unique in the table, so it is in exactly one batch; an order's own
  document (``kind=order``) is unique per order too.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportStream(models.Model):
    name = models.SlugField(max_length=30, unique=True, verbose_name=_("name"))
    cursor = models.BigIntegerField(
        default=0,
        help_text=_("The last order event (status change id) put in a batch."),
        verbose_name=_("cursor"),
    )
    settled = models.BigIntegerField(
        default=0,
        help_text=_(
            "Every sale event up to this id is in a batch: the builder looks above it only, so a night's "
            "export reads the new sales, not the whole history."
        ),
        verbose_name=_("settled"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("export stream")
        verbose_name_plural = _("export streams")

    def __str__(self) -> str:
        return f"{self.name} @ {self.cursor}"


class BatchStatus(models.TextChoices):
    BUILT = "built", _("Built")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class OrderBatch(models.Model):
    status = models.CharField(
        max_length=16, choices=BatchStatus.choices, default=BatchStatus.BUILT, verbose_name=_("status")
    )
    profile = models.CharField(max_length=40, verbose_name=_("profile"))
    file_format = models.CharField(max_length=8, verbose_name=_("file format"))
    file_name = models.CharField(max_length=120, verbose_name=_("file name"))
    content = models.BinaryField(
        help_text=_("The file's bytes, written once; every sending sends these."), verbose_name=_("content")
    )
    content_hash = models.CharField(
        max_length=64, help_text=_("SHA-256 of the content."), verbose_name=_("content hash")
    )
    document_count = models.PositiveIntegerField(default=0, verbose_name=_("document count"))
    order_count = models.PositiveIntegerField(default=0, verbose_name=_("order count"))
    cursor_from = models.BigIntegerField(
        default=0, help_text=_("First order event in the batch."), verbose_name=_("cursor from")
    )
    cursor_to = models.BigIntegerField(
        default=0, help_text=_("Last order event in the batch."), verbose_name=_("cursor to")
    )
    attempts = models.PositiveIntegerField(
        default=0, help_text=_("How many times the file was written out."), verbose_name=_("attempts")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Last time it was written out."), verbose_name=_("sent at")
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    acknowledged_via = models.CharField(max_length=16, blank=True, verbose_name=_("acknowledged via"))

    class Meta:
        verbose_name = _("order batch")
        verbose_name_plural = _("order batches")
        ordering = ["id"]
        permissions = [("ack_orderbatch", "Can acknowledge an ERP order batch")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="acknowledged", acknowledged_at__isnull=False) | ~Q(status="acknowledged"),
                name="erp_batch_ack_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="erp_batch_status")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"


class DocumentKind(models.TextChoices):
    ORDER = "order", _("Order")
    ACTION = "action", _("Cancellation, refund or return (after sales)")
    RETURN = "return", _("Till return")


class ExportedDocument(models.Model):
    batch = models.ForeignKey(
        OrderBatch, on_delete=models.PROTECT, related_name="documents", verbose_name=_("batch")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    kind = models.CharField(max_length=8, choices=DocumentKind.choices, verbose_name=_("kind"))
    document_key = models.CharField(max_length=40, unique=True, verbose_name=_("document key"))
    position = models.PositiveIntegerField(verbose_name=_("position"))

    class Meta:
        verbose_name = _("exported document")
        verbose_name_plural = _("exported documents")
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="order"), name="erp_order_in_one_batch"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_key} in batch {self.batch_id}"
