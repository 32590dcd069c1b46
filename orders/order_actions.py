"""The audit row of every after-sales action on an order (``orders.services.after_sales``).

One ``OrderAction`` per cancellation, refund, return or resent notification: who, when, why, how
much (TTC, EUR: ``amount`` is the whole action, ``shipping_amount`` the part of it that is shipping),
which lines (``lines``: ``[{"line_id", "sku", "quantity", "amount"}]``) and which payment refunds
(``refund_ids``). ``key`` (the caller's idempotency key) is unique per order when given: the same key
returns the same action.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Order


class OrderActionKind(models.TextChoices):
    CANCEL = "cancel", _("Cancellation")
    REFUND = "refund", _("Refund")
    RETURN = "return", _("Return")
    NOTIFICATION = "notification", _("Notification")


class RefundVia(models.TextChoices):
    ORIGINAL = "original", _("Original payment")
    EXTERNAL = "external", _("Paid back another way")


class OrderAction(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="actions", verbose_name=_("order")
    )
    kind = models.CharField(max_length=16, choices=OrderActionKind.choices, verbose_name=_("kind"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    reason = models.CharField(max_length=250, blank=True, verbose_name=_("reason"))
    amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Money given back, TTC, EUR."),
        verbose_name=_("amount"),
    )
    shipping_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Of which shipping, TTC, EUR."),
        verbose_name=_("shipping amount"),
    )
    lines = models.JSONField(
        default=list, blank=True, help_text=_("[{line_id, sku, quantity, amount}]"), verbose_name=_("lines")
    )
    refund_ids = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The payment refunds it asked for."),
        verbose_name=_("refund IDs"),
    )
    via = models.CharField(
        max_length=16, choices=RefundVia.choices, blank=True, verbose_name=_("refunded via")
    )
    external_reference = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("The return, store credit or RMA that paid it back."),
        verbose_name=_("external reference"),
    )
    key = models.CharField(max_length=80, blank=True, verbose_name=_("key"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("order action")
        verbose_name_plural = _("order actions")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "key"], condition=~Q(key=""), name="order_action_key_unique_per_order"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_action_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.amount}"
