"""Segments and campaigns: who gets a marketing e-mail, what it says, and the log of every send.

``CustomerRfm`` is the nightly recency/frequency/monetary picture of each customer who bought
(``marketing.services_segments.refresh_rfm``), with their automatic segment. ``Segment`` is a set
of rules staff combine in the admin. ``Campaign`` is an e-mail in French, English and Italian sent
to a segment; ``CampaignRecipient`` is one row per person it goes to (written when the campaign
starts), the per-recipient log and the claim that makes sending crash-safe.

Writes go through ``marketing.services_segments`` and ``marketing.services_campaigns``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Channel


class RfmSegment(models.TextChoices):
    NEW = "new", _("New")
    LOYAL = "loyal", _("Loyal")
    CHAMPIONS = "champions", _("Champions")
    AT_RISK = "at_risk", _("At risk")
    LOST = "lost", _("Lost")


class CustomerRfm(models.Model):
    """One row per customer with at least one bought order, rebuilt in bulk every night."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="marketing_rfm",
        verbose_name=_("customer"),
    )
    first_order_at = models.DateTimeField(verbose_name=_("first order at"))
    last_order_at = models.DateTimeField(verbose_name=_("last order at"))
    recency_days = models.PositiveIntegerField(
        help_text=_("Days since the last bought order."), verbose_name=_("recency days")
    )
    frequency = models.PositiveIntegerField(
        help_text=_("Bought orders over the last 12 months."), verbose_name=_("frequency")
    )
    monetary = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text=_("Spend over the last 12 months, EUR TTC, net of refunds."),
        verbose_name=_("monetary"),
    )
    orders_total = models.PositiveIntegerField(
        help_text=_("Bought orders ever."), verbose_name=_("orders total")
    )
    segment = models.CharField(
        max_length=12, choices=RfmSegment.choices, db_index=True, verbose_name=_("segment")
    )
    computed_at = models.DateTimeField(verbose_name=_("computed at"))

    class Meta:
        verbose_name = _("customer RFM")
        verbose_name_plural = _("customer RFM")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.segment}"


class Segment(models.Model):
    """Customers matching every rule that is set (an empty rule matches everyone), who consent to
    ``channel`` and are not suppressed on it."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    channel = models.CharField(
        _("consent channel"),
        max_length=8,
        choices=Channel.choices,
        default=Channel.EMAIL,
        help_text=_("Only customers who consent to this channel (and are not suppressed) are members."),
    )
    rfm_segment = models.CharField(_("RFM segment"), max_length=12, choices=RfmSegment.choices, blank=True)
    tier = models.SlugField(
        _("loyalty tier"),
        max_length=20,
        blank=True,
        help_text=_("A tier code (silver, gold, platinum): customers whose benefits come from this tier."),
    )
    store = models.ForeignKey(
        "inventory.Location",
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Customers who bought at (or collected from) this store."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True, help_text=_("A city of their addresses."))
    categories = models.ManyToManyField(
        "catalog.Category",
        verbose_name=_("categories bought"),
        blank=True,
        related_name="+",
        help_text=_("Customers who bought a product of one of these categories."),
    )
    last_purchase_after = models.DateField(_("last purchase on or after"), null=True, blank=True)
    last_purchase_before = models.DateField(_("last purchase before"), null=True, blank=True)
    spend_min = models.DecimalField(
        _("12-month spend from (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    spend_max = models.DecimalField(
        _("12-month spend up to (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(spend_min__isnull=True)
                | models.Q(spend_max__isnull=True)
                | models.Q(spend_min__lte=models.F("spend_max")),
                name="marketing_segment_spend_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    """An e-mail to a segment. Each recipient reads it in their preferred language (French when the
    text is missing in theirs). ``{% products "for_you" %}`` and ``{% products "chosen" %}`` in a body
    become product cards (recommendations for the recipient, or ``products``)."""

    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey(
        Segment, verbose_name=_("segment"), on_delete=models.PROTECT, related_name="campaigns"
    )
    status = models.CharField(
        max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT, verbose_name=_("status")
    )
    subject_fr = models.CharField(_("subject (French)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    subject_it = models.CharField(_("subject (Italian)"), max_length=200, blank=True)
    body_fr = models.TextField(_("HTML body (French)"))
    body_en = models.TextField(_("HTML body (English)"), blank=True)
    body_it = models.TextField(_("HTML body (Italian)"), blank=True)
    products = models.ManyToManyField(
        "catalog.Product",
        verbose_name=_("chosen products"),
        blank=True,
        related_name="+",
        help_text=_('Shown where the body says {% products "chosen" %}.'),
    )
    promotion = models.ForeignKey(
        "pricing.Promotion",
        verbose_name=_("seasonal promotion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Scheduling the campaign starts this promotion when the e-mail goes out."),
    )
    promotion_ends_at = models.DateTimeField(_("promotion ends at"), null=True, blank=True)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CampaignStatus.values), name="marketing_campaign_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RecipientStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (no consent)")


class CampaignRecipient(models.Model):
    """One person of a campaign. A batch worker claims queued rows (``claimed_at``, ``claim``), sends,
    and marks each one sent in its own transaction right after; a claim older than
    ``MARKETING_CAMPAIGN_CLAIM_SECONDS`` is a dead worker's, and its rows are claimed again."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("campaign")
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    email = models.CharField(max_length=254, verbose_name=_("e-mail"))
    language = models.CharField(max_length=8, verbose_name=_("language"))
    status = models.CharField(
        max_length=8,
        choices=RecipientStatus.choices,
        default=RecipientStatus.QUEUED,
        verbose_name=_("status"),
    )
    claim = models.UUIDField(null=True, blank=True, verbose_name=_("claim token"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    error = models.CharField(max_length=400, blank=True, verbose_name=_("error"))

    class Meta:
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="marketing_recipient_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=RecipientStatus.values), name="marketing_recipient_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.email}: {self.status}"
