"""Payments: what a shopper paid (or tried to pay) for an order, through which provider.

Money: ``amount`` is the order's ``total_gross`` in the order's ``currency`` (what the provider
charges), ``amount_eur`` the same in euros (the order's ``total_gross_eur``) so reports add up.
Providers take integer minor units: ``payments.providers.base.to_minor_units`` is the one place
that converts.

``Payment.status`` only moves forward (``payments.services.PAYMENT_TRANSITIONS``); every move is one
append-only ``PaymentEvent`` row. ``WebhookEvent`` rows (unique per provider and event id) make a
replayed webhook a no-op.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    TEST = "test", _("Test provider")
    STRIPE = "stripe", _("Stripe")
    PAYPAL = "paypal", _("PayPal")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    AUTHORIZED = "authorized", _("Authorized")
    CAPTURED = "captured", _("Captured")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="payments", verbose_name=_("order")
    )
    provider = models.CharField(max_length=16, choices=Provider.choices, verbose_name=_("provider"))
    status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING, verbose_name=_("status")
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    amount_eur = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount (EUR)"))
    provider_reference = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("The provider's id: PaymentIntent id, PayPal order id, ..."),
        verbose_name=_("provider reference"),
    )
    capture_reference = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("The provider's id of the capture (PayPal), used to refund."),
        verbose_name=_("capture reference"),
    )
    client_secret = models.CharField(
        max_length=255, blank=True, help_text=_("For Stripe.js."), verbose_name=_("client secret")
    )
    redirect_url = models.CharField(max_length=1000, blank=True, verbose_name=_("redirect URL"))
    return_url = models.CharField(max_length=1000, verbose_name=_("return URL"))
    cancel_url = models.CharField(max_length=1000, verbose_name=_("cancel URL"))
    failure_reason = models.CharField(max_length=250, blank=True, verbose_name=_("failure reason"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    captured_at = models.DateTimeField(null=True, blank=True, verbose_name=_("captured at"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_gte_0"),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payment_provider_reference_unique",
            ),
        ]
        indexes = [models.Index(fields=["order", "-created_at"]), models.Index(fields=["status", "provider"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.amount} {self.currency} ({self.status})"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    """A refund of a captured payment, in full or in part (``payments.services.refund_amount``).

    The live (pending or succeeded) refunds of a payment never add up to more than it captured: the
    service checks it under the payment's row lock. ``key`` makes a refund request idempotent: at
    most one live refund per payment and key (a failed one may be retried under the same key)."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    status = models.CharField(
        max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING, verbose_name=_("status")
    )
    provider_reference = models.CharField(max_length=120, blank=True, verbose_name=_("provider reference"))
    reason = models.CharField(max_length=250, verbose_name=_("reason"))
    error = models.CharField(max_length=250, blank=True, verbose_name=_("error"))
    key = models.CharField(
        max_length=80,
        blank=True,
        help_text=_("The caller's idempotency key: one live refund per payment and key."),
        verbose_name=_("key"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_gt_0"),
            models.UniqueConstraint(
                fields=["payment", "key"],
                condition=~Q(key="") & ~Q(status="failed"),
                name="refund_live_key_unique_per_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} {self.currency} ({self.status})"


class WebhookEvent(models.Model):
    """Every verified webhook we received, once: the dedupe table."""

    provider = models.CharField(max_length=16, choices=Provider.choices, verbose_name=_("provider"))
    event_id = models.CharField(max_length=120, verbose_name=_("event"))
    type = models.CharField(max_length=80, verbose_name=_("type"))
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_events",
        verbose_name=_("payment"),
    )
    result = models.CharField(
        max_length=40, blank=True, help_text=_("What processing it did."), verbose_name=_("result")
    )
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))
    payload = models.JSONField(verbose_name=_("payload"))

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"


class PaymentEvent(models.Model):
    """The append-only log of a payment: creation, every status move, refunds, ignored events."""

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="events", verbose_name=_("payment")
    )
    kind = models.CharField(max_length=40, verbose_name=_("kind"))
    from_status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, blank=True, verbose_name=_("from status")
    )
    to_status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, blank=True, verbose_name=_("to status")
    )
    source = models.CharField(
        max_length=40, blank=True, help_text=_("test page, webhook, return, ..."), verbose_name=_("source")
    )
    note = models.CharField(max_length=250, blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.kind} {self.from_status or '-'} -> {self.to_status or '-'}"
