"""Marketing consent: who may receive marketing on which channel, and the proof of it.

``Consent`` is the current state per channel and address (an e-mail address or an E.164 phone
number), linked to the customer account when there is one (newsletter guests have none).
``ConsentEvent`` is its append-only history: every change says when, how, the exact text shown, the
IP address and user agent when the change came from a browser, and the staff member when from the
back office. ``Suppression`` lists the addresses nothing marketing may reach (hard bounce,
complaint, unsubscribed), whatever their consent says.

Writes go through ``marketing.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class ConsentStatus(models.TextChoices):
    PENDING = "pending", _("Pending confirmation")
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPPRESSED = "suppressed", _("Suppressed")


class ConsentSource(models.TextChoices):
    """How the consent (or its withdrawal) was given."""

    SIGNUP_FORM = "signup_form", _("Account sign-up form")
    PROFILE_FORM = "profile_form", _("Account profile form")
    NEWSLETTER_FORM = "newsletter_form", _("Newsletter form")
    CHECKOUT = "checkout", _("Checkout box")
    TILL = "till", _("Till")
    DOUBLE_OPT_IN = "double_opt_in", _("Double opt-in confirmation")
    ADMIN_IMPORT = "admin_import", _("Admin import")
    UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
    BOUNCE = "bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Complaint")


class Consent(models.Model):
    channel = models.CharField(max_length=8, choices=Channel.choices, verbose_name=_("channel"))
    address = models.CharField(
        max_length=254,
        help_text=_("The e-mail address (lower case) or the phone number (E.164)."),
        verbose_name=_("address"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="marketing_consents",
        verbose_name=_("user"),
    )
    status = models.CharField(
        max_length=12, choices=ConsentStatus.choices, default=ConsentStatus.PENDING, verbose_name=_("status")
    )
    language = models.CharField(max_length=8, blank=True, verbose_name=_("language"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="marketing_consent_one_per_address"),
            models.CheckConstraint(
                condition=models.Q(status__in=ConsentStatus.values), name="marketing_consent_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="marketing_consent_channel_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "channel"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}: {self.get_status_display()}"


class AppendOnly(Exception):
    """A consent event is proof: it is never changed nor deleted."""


class ConsentEvent(models.Model):
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="events", verbose_name=_("consent")
    )
    status = models.CharField(max_length=12, choices=ConsentStatus.choices, verbose_name=_("status"))
    source = models.CharField(max_length=20, choices=ConsentSource.choices, verbose_name=_("source"))
    text_shown = models.TextField(
        blank=True, help_text=_("The exact consent text the person saw."), verbose_name=_("text shown")
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))
    user_agent = models.CharField(max_length=400, blank=True, verbose_name=_("user agent"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The staff member, for a change made in the back office."),
        verbose_name=_("actor"),
    )
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.status} ({self.source})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("consent events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("consent events are append-only")


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Complaint")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


class Suppression(models.Model):
    channel = models.CharField(
        max_length=8, choices=Channel.choices, default=Channel.EMAIL, verbose_name=_("channel")
    )
    address = models.CharField(max_length=254, verbose_name=_("address"))
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices, verbose_name=_("reason"))
    detail = models.CharField(max_length=400, blank=True, verbose_name=_("detail"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("suppression")
        verbose_name_plural = _("suppressions")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"], name="marketing_suppression_one_per_address"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_reason_display()})"


# --- abandoned carts (marketing.abandoned_carts) ---------------------------------------------------


class CartContact(models.Model):
    """A guest's e-mail for their cart, typed at checkout with the box "remind me of my cart" ticked.

    Marketing's own row: orders' ``Cart`` is never written by marketing. A signed-in shopper needs
    none (their account's address and consent are used)."""

    cart = models.OneToOneField(
        "orders.Cart", on_delete=models.CASCADE, related_name="+", verbose_name=_("cart")
    )
    email = models.EmailField(verbose_name=_("e-mail"))
    language = models.CharField(max_length=8, blank=True, verbose_name=_("language"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("cart contact")
        verbose_name_plural = _("cart contacts")

    def __str__(self) -> str:
        return f"cart {self.cart_id}: {self.email}"


class ReminderStep(models.IntegerChoices):
    FIRST = 1, _("After 1 hour")
    SECOND = 2, _("After 24 hours")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")


class CartReminder(models.Model):
    """One reminder of an abandoned cart: per cart, step and cart state (``fingerprint``, a hash of
    its lines and quantities), never two; a changed cart starts a new sequence."""

    cart = models.ForeignKey(
        "orders.Cart", on_delete=models.CASCADE, related_name="+", verbose_name=_("cart")
    )
    step = models.PositiveSmallIntegerField(choices=ReminderStep.choices, verbose_name=_("step"))
    fingerprint = models.CharField(max_length=64, verbose_name=_("fingerprint"))
    email = models.EmailField(verbose_name=_("e-mail"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    language = models.CharField(max_length=8, blank=True, verbose_name=_("language"))
    status = models.CharField(
        max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.PENDING, verbose_name=_("status")
    )
    reason = models.CharField(
        max_length=40, blank=True, help_text=_("Why it was skipped."), verbose_name=_("reason")
    )
    coupon_code = models.CharField(max_length=40, blank=True, verbose_name=_("coupon code"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("cart reminder")
        verbose_name_plural = _("cart reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "step", "fingerprint"], name="marketing_cart_reminder_once_per_state"
            ),
        ]
        indexes = [models.Index(fields=["cart", "created_at"])]

    def __str__(self) -> str:
        return f"cart {self.cart_id} step {self.step} ({self.status})"


# --- wishlist and alerts (marketing.wishlist) ------------------------------------------------------


class WishlistItem(models.Model):
    """A product (or one variant of it) a customer wished for; ``store``: tell me when it is back at
    this store (empty: online). ``reference_price``: the price (TTC, EUR) when it was wished, the
    baseline of price-drop alerts."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wishlist_items",
        verbose_name=_("customer"),
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    variant = models.ForeignKey(
        "catalog.Variant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("variant"),
    )
    store = models.ForeignKey(
        "inventory.Location",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("store"),
    )
    reference_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=_("reference price")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist items")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "product"],
                condition=models.Q(variant__isnull=True),
                name="marketing_wish_once_per_product",
            ),
            models.UniqueConstraint(
                fields=["customer", "variant"],
                condition=models.Q(variant__isnull=False),
                name="marketing_wish_once_per_variant",
            ),
        ]
        indexes = [models.Index(fields=["product"])]

    def __str__(self) -> str:
        return f"{self.customer_id} wishes {self.product_id}"


class AlertKind(models.TextChoices):
    RESTOCK = "restock", _("Back in stock")
    PRICE = "price", _("Price drop")
    PROMOTION = "promotion", _("Promotion")


class AlertSent(models.Model):
    """A wishlist alert that went out: ``key`` (``restock:<wish>:<date>``, ``price:<wish>:<price>``,
    ``promotion:<wish>:<promotion>``) is unique, so one event alerts once."""

    wish = models.ForeignKey(
        WishlistItem, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("wishlist item")
    )
    kind = models.CharField(max_length=10, choices=AlertKind.choices, verbose_name=_("kind"))
    key = models.CharField(max_length=120, unique=True, verbose_name=_("key"))
    email = models.EmailField(verbose_name=_("e-mail"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("wishlist alert sent")
        verbose_name_plural = _("wishlist alerts sent")

    def __str__(self) -> str:
        return self.key


# Segments and campaigns live in their own module; importing them here registers the models.
from .campaign_models import (  # noqa: E402, F401
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    CustomerRfm,
    RecipientStatus,
    RfmSegment,
    Segment,
)
from .traffic_models import ProductViewDay, TrafficDay  # noqa: E402, F401  (storefront traffic counts)
