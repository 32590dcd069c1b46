"""B2B quotes (issue 17): a company buyer asks for prices on the cart's lines, staff adjust and send
them, the buyer accepts within the validity and the quote becomes an order at the quoted prices
(``orders.services.quotes``). Money is EUR, HT per unit (4 decimals) and per line (to the cent)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class QuoteStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class Quote(models.Model):
    number = models.CharField(max_length=32, unique=True, verbose_name=_("number"))
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="quotes", verbose_name=_("company")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
        verbose_name=_("requested by"),
    )
    shop = models.ForeignKey(
        "shops.Shop",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
        verbose_name=_("shop"),
    )
    status = models.CharField(
        max_length=10,
        choices=QuoteStatus.choices,
        default=QuoteStatus.REQUESTED,
        db_index=True,
        verbose_name=_("status"),
    )
    valid_until = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("valid until"),
        help_text=_("Set when the quote is sent; the buyer may accept it until the end of this day."),
    )
    message = models.TextField(blank=True, verbose_name=_("buyer's message"))
    staff_note = models.TextField(
        blank=True, verbose_name=_("staff note"), help_text=_("Printed on the quote and shown to the buyer.")
    )
    currency = models.CharField(max_length=3, default="EUR", verbose_name=_("currency"))
    total_net = models.DecimalField(max_digits=12, decimal_places=2, default=0, verbose_name=_("total net"))
    total_vat = models.DecimalField(max_digits=12, decimal_places=2, default=0, verbose_name=_("total VAT"))
    total_gross = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("total gross")
    )
    order = models.OneToOneField(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quote",
        verbose_name=_("order"),
    )
    language = models.CharField(max_length=10, blank=True, verbose_name=_("language"))
    pdf = models.FileField(upload_to="quotes/%Y/%m/", blank=True, verbose_name=_("PDF"))
    pdf_rendered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("PDF rendered at"))
    emailed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("e-mailed at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "valid_until"], name="quote_due")]
        constraints = [
            models.CheckConstraint(condition=Q(total_net__gte=0), name="quote_total_net_gte_0"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def list_total_net(self) -> Decimal:
        return sum((line.list_total_net for line in self.lines.all()), Decimal("0"))


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quote"))
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="+", verbose_name=_("variant")
    )
    sku = models.CharField(max_length=64, verbose_name=_("SKU"))
    name = models.CharField(max_length=250, verbose_name=_("name"))
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4, verbose_name=_("VAT rate"))
    list_unit_price = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        verbose_name=_("list unit price (net)"),
        help_text=_("What the buyer's price rules gave when the quote was asked for (HT)."),
    )
    quoted_unit_price = models.DecimalField(
        max_digits=12, decimal_places=4, verbose_name=_("quoted unit price (net)")
    )
    total_net = models.DecimalField(max_digits=12, decimal_places=2, default=0, verbose_name=_("total net"))
    total_vat = models.DecimalField(max_digits=12, decimal_places=2, default=0, verbose_name=_("total VAT"))
    total_gross = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("total gross")
    )
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "variant"], name="quote_line_unique_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quote_line_quantity_gt_0"),
            models.CheckConstraint(condition=Q(quoted_unit_price__gte=0), name="quote_line_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"

    @property
    def list_total_net(self) -> Decimal:
        return (self.list_unit_price * self.quantity).quantize(Decimal("0.01"))

    @property
    def discount_percent(self) -> Decimal:
        """How much the quoted price takes off the list price (0 when it does not)."""
        if not self.list_unit_price or self.quoted_unit_price >= self.list_unit_price:
            return Decimal("0")
        return ((1 - self.quoted_unit_price / self.list_unit_price) * 100).quantize(Decimal("0.1"))
