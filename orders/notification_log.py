"""What the shop told a customer about an order, so each message goes out once.

One row per (order, kind, channel, reference): a Celery task claims the row, sends, then stamps
``sent_at``. ``reference`` is empty for the messages an order gets once (confirmation, shipped...)
and names the ``OrderAction`` for the ones sent per action (a refund e-mail per refund).
A task that runs again (a retry, a duplicate delivery) finds ``sent_at`` set and sends nothing.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Order


class NotificationKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Order confirmation")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    CANCELLATION = "cancellation", _("Cancellation")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    REFUND = "refund", _("Refund")
    # B2B (orders.services.b2b_terms): to the company's approvers, to the buyer, to its administrators
    APPROVAL_REQUEST = "approval_request", _("Approval requested")
    APPROVAL_DECISION = "approval_decision", _("Approval decision")
    OVERDUE_REMINDER = "overdue_reminder", _("Overdue payment reminder")
    RESERVED = "reserved", _("Reservation confirmed")
    RESERVATION_REMINDER = "reservation_reminder", _("Reservation reminder")
    RESERVATION_EXPIRED = "reservation_expired", _("Reservation expired")
    RESERVATION_STORE = "reservation_store", _("Reservation (to the store)")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class NotificationLog(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("order")
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices, verbose_name=_("kind"))
    channel = models.CharField(max_length=8, choices=NotificationChannel.choices, verbose_name=_("channel"))
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("Empty, or what the message is about (a refund action's id)."),
        verbose_name=_("reference"),
    )
    recipient = models.CharField(max_length=254, blank=True, verbose_name=_("recipient"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("A worker is sending it now (cleared if the attempt fails)."),
        verbose_name=_("claimed at"),
    )
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    last_error = models.CharField(max_length=250, blank=True, verbose_name=_("last error"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("notification log")
        verbose_name_plural = _("notification logs")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind", "channel", "reference"], name="notification_once_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} by {self.channel}"
