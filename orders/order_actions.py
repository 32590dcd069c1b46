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
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=16, choices=OrderActionKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=250, blank=True)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text=_("Money given back, TTC, EUR.")
    )
    shipping_amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text=_("Of which shipping, TTC, EUR.")
    )
    lines = models.JSONField(default=list, blank=True, help_text=_("[{line_id, sku, quantity, amount}]"))
    refund_ids = models.JSONField(default=list, blank=True, help_text=_("The payment refunds it asked for."))
    via = models.CharField(max_length=16, choices=RefundVia.choices, blank=True)
    external_reference = models.CharField(
        max_length=120, blank=True, help_text=_("The return, store credit or RMA that paid it back.")
    )
    key = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "key"], condition=~Q(key=""), name="order_action_key_unique_per_order"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_action_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.amount}"
