"""The daily run's work list (imported by ``invoicing.models``).

``InvoiceQueueEntry``: "this order has news for the invoicing" (paid, delivered or collected, sold
at a till, cancelled, refunded in part or in full, returned at a till). Written by the subscribers
of ``invoicing.subscribers`` IN the transaction of the order's change (``core.events``
IN_TRANSACTION), so a committed change is never forgotten by the run and a rolled-back one leaves no
entry. The run of a day takes every pending entry made before that day ended (Europe/Paris), works
out each order's whole state (what to invoice, what to credit) and marks the entries with its
``run``. Entries are working data, not legal records: they may be purged once processed.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InvoiceQueueEntry(models.Model):
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("order")
    )
    event = models.CharField(
        max_length=40, help_text="The event that queued it (order.paid, ...).", verbose_name=_("event")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    run = models.ForeignKey(
        "invoicing.InvoiceRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queue_entries",
        help_text="The run that processed it (empty: pending).",
        verbose_name=_("run"),
    )

    class Meta:
        verbose_name = _("invoice queue entry")
        ordering = ["id"]
        verbose_name_plural = _("invoice queue entries")
        indexes = [
            models.Index(fields=["created_at"], condition=Q(run__isnull=True), name="invoicing_queue_pending")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.event} ({'done' if self.run_id else 'pending'})"


__all__ = ["InvoiceQueueEntry"]
