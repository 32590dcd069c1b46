"""Returns, exchanges, store credit and damaged goods (owned by the RETURNS engineer); imported by
pos.models. Only ``pos.services.returns`` writes to these tables.

A ``Return`` takes back units of one order (a store sale or a completed web order) at a store
register: its ``ReturnLine`` rows point at the order lines, so "sold minus already returned" is a
sum over them; ``ReturnRefund`` rows say how the money went back (cash, card, mobile, store credit,
the online payment). Resellable units went back to the store's stock (one ledger row each, reason
``return``); damaged ones are a ``DamagedGoods`` row and no stock. ``StoreCreditMovement`` is the
append-only ledger of a store credit: its sum is the credit's balance.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Tender


class ReturnCondition(models.TextChoices):
    RESELLABLE = "resellable", _("Resellable")
    DAMAGED = "damaged", _("Damaged")


class RefundMethod(models.TextChoices):
    ORIGINAL = "original", _("Original tender")
    STORE_CREDIT = "store_credit", _("Store credit")
    EXCHANGE = "exchange", _("Exchange")


# How money goes back: any till tender (``Tender``, the one list of payment methods at the till),
# the online payment of a web order, or the new goods of an exchange.
RefundTender = models.TextChoices(  # type: ignore[call-overload]  # the stubs know no (value, label) pairs
    "RefundTender",
    [(tender.name, (tender.value, tender.label)) for tender in Tender]
    + [("ONLINE", ("online", _("Online payment"))), ("EXCHANGE", ("exchange", _("Exchange")))],
)


class Return(models.Model):
    number = models.CharField(max_length=32, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    location = models.ForeignKey(
        "inventory.Location",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The store that took the goods back."),
    )
    session = models.ForeignKey(
        "pos.RegisterSession", on_delete=models.PROTECT, related_name="returns", null=True, blank=True
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    refund_method = models.CharField(max_length=16, choices=RefundMethod.choices)
    total_gross = models.DecimalField(max_digits=12, decimal_places=2, help_text=_("Refunded, TTC, EUR."))
    currency = models.CharField(max_length=3, default="EUR")
    exchange_order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="exchanged_return",
        null=True,
        blank=True,
        help_text=_("The new sale of an exchange."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(total_gross__gte=0), name="pos_return_total_gte_0")]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField()
    condition = models.CharField(max_length=12, choices=ReturnCondition.choices)
    refund_gross = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pos_return_line_qty_gt_0"),
            models.CheckConstraint(condition=Q(refund_gross__gte=0), name="pos_return_line_refund_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line_id} ({self.condition})"


class StoreCredit(models.Model):
    code = models.CharField(max_length=32, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="store_credits",
    )
    currency = models.CharField(max_length=3, default="EUR")
    initial_amount = models.DecimalField(max_digits=12, decimal_places=2)
    balance = models.DecimalField(max_digits=12, decimal_places=2)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source_return = models.ForeignKey(
        Return, on_delete=models.PROTECT, null=True, blank=True, related_name="store_credits"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="pos_store_credit_balance_gte_0"),
            models.CheckConstraint(
                condition=Q(balance__lte=models.F("initial_amount")),
                name="pos_store_credit_balance_lte_initial",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class StoreCreditMovement(models.Model):
    """Append-only: issued (+) or spent (-). The sum of a credit's movements is its balance."""

    credit = models.ForeignKey(StoreCredit, on_delete=models.PROTECT, related_name="movements")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reference = models.CharField(max_length=120, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.credit_id}: {self.amount}"


class ReturnRefund(models.Model):
    """How part of a return's money went back to the customer."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="refunds")
    tender = models.CharField(max_length=16, choices=RefundTender.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reference = models.CharField(
        max_length=120, blank=True, help_text=_("Card terminal or mobile refund reference, credit code, ...")
    )
    store_credit = models.ForeignKey(
        StoreCredit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cash_movement = models.OneToOneField(
        "pos.CashMovement", on_delete=models.PROTECT, null=True, blank=True, related_name="return_refund"
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pos_return_refund_gt_0")]

    def __str__(self) -> str:
        return f"{self.tender} {self.amount}"


class DamagedGoods(models.Model):
    """Units taken back that cannot be sold again: recorded here, never put back in stock."""

    return_line = models.OneToOneField(ReturnLine, on_delete=models.PROTECT, related_name="damaged")
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    note = models.CharField(max_length=250, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "damaged goods"
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="pos_damaged_qty_gt_0")]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id} @ {self.location_id}"


__all__ = [
    "DamagedGoods",
    "RefundMethod",
    "RefundTender",
    "Return",
    "ReturnCondition",
    "ReturnLine",
    "ReturnRefund",
    "StoreCredit",
    "StoreCreditMovement",
]
