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
    number = models.CharField(max_length=32, unique=True, verbose_name=_("number"))
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="returns", verbose_name=_("order")
    )
    location = models.ForeignKey(
        "inventory.Location",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The store that took the goods back."),
        verbose_name=_("location"),
    )
    session = models.ForeignKey(
        "pos.RegisterSession",
        on_delete=models.PROTECT,
        related_name="returns",
        null=True,
        blank=True,
        verbose_name=_("session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    refund_method = models.CharField(
        max_length=16, choices=RefundMethod.choices, verbose_name=_("refund method")
    )
    total_gross = models.DecimalField(
        max_digits=12, decimal_places=2, help_text=_("Refunded, TTC, EUR."), verbose_name=_("total gross")
    )
    currency = models.CharField(max_length=3, default="EUR", verbose_name=_("currency"))
    exchange_order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="exchanged_return",
        null=True,
        blank=True,
        help_text=_("The new sale of an exchange."),
        verbose_name=_("exchange order"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(total_gross__gte=0), name="pos_return_total_gte_0")]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines", verbose_name=_("return"))
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="return_lines",
        verbose_name=_("order line"),
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    condition = models.CharField(max_length=12, choices=ReturnCondition.choices, verbose_name=_("condition"))
    refund_gross = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("refund gross"))

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pos_return_line_qty_gt_0"),
            models.CheckConstraint(condition=Q(refund_gross__gte=0), name="pos_return_line_refund_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line_id} ({self.condition})"


class StoreCredit(models.Model):
    code = models.CharField(max_length=32, unique=True, verbose_name=_("code"))
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="store_credits",
        verbose_name=_("customer"),
    )
    currency = models.CharField(max_length=3, default="EUR", verbose_name=_("currency"))
    initial_amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("initial amount"))
    balance = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("balance"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    source_return = models.ForeignKey(
        Return,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="store_credits",
        verbose_name=_("source return"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("store credit")
        verbose_name_plural = _("store credits")
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

    credit = models.ForeignKey(
        StoreCredit, on_delete=models.PROTECT, related_name="movements", verbose_name=_("credit")
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    reference = models.CharField(max_length=120, blank=True, verbose_name=_("reference"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("store credit movement")
        verbose_name_plural = _("store credit movements")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.credit_id}: {self.amount}"


class ReturnRefund(models.Model):
    """How part of a return's money went back to the customer."""

    ret = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="refunds", verbose_name=_("return")
    )
    tender = models.CharField(max_length=16, choices=RefundTender.choices, verbose_name=_("tender"))
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    reference = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("Card terminal or mobile refund reference, credit code, ..."),
        verbose_name=_("reference"),
    )
    store_credit = models.ForeignKey(
        StoreCredit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("store credit"),
    )
    cash_movement = models.OneToOneField(
        "pos.CashMovement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_refund",
        verbose_name=_("cash movement"),
    )

    class Meta:
        verbose_name = _("return refund")
        verbose_name_plural = _("return refunds")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pos_return_refund_gt_0")]

    def __str__(self) -> str:
        return f"{self.tender} {self.amount}"


class DamagedGoods(models.Model):
    """Units taken back that cannot be sold again: recorded here, never put back in stock."""

    return_line = models.OneToOneField(
        ReturnLine, on_delete=models.PROTECT, related_name="damaged", verbose_name=_("return line")
    )
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="+", verbose_name=_("variant")
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    note = models.CharField(max_length=250, blank=True, verbose_name=_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("damaged goods")
        ordering = ["-created_at"]
        verbose_name_plural = _("damaged goods")
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
