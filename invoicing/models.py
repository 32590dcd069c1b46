"""Invoices and credit notes (avoirs): legal documents, immutable once issued.

``Invoice`` is both kinds (``kind``): a credit note refers to the invoice it credits. A document and
its lines are written once, by ``invoicing.services.issuing.issue_document``, in the transaction that
takes its number (``core.numbering``: gapless per series and year); nothing updates or deletes them
(no service does, the admin is read-only, and a database trigger refuses UPDATE and DELETE).
Its PDF is a row of its own (``InvoicePdf``), inserted once after the document committed and never
replaced; what was e-mailed to whom is ``InvoiceDelivery``. ``InvoiceRun`` is one daily run per
business day: a second run of the same day finds it and issues nothing new.

Every sold order line is invoiced once: ``InvoiceLine.order_line`` is unique among invoice lines
(a constraint, not a hope); a credit line names what it credits in ``source_key`` (unique too).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class DocumentOrigin(models.TextChoices):
    DAILY_RUN = "daily_run", _("Daily run")
    ERP = "erp", _("ERP import")


class LineChannel(models.TextChoices):
    WEB = "web", _("Web shop")
    STORE = "store", _("Store")
    ERP = "erp", _("ERP")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class InvoiceRun(models.Model):
    """One run of the daily invoicing per business day (Europe/Paris)."""

    business_date = models.DateField(unique=True, verbose_name=_("business date"))
    status = models.CharField(
        max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING, verbose_name=_("status")
    )
    started_at = models.DateTimeField(auto_now_add=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    invoices_issued = models.PositiveIntegerField(default=0, verbose_name=_("invoices issued"))
    credit_notes_issued = models.PositiveIntegerField(default=0, verbose_name=_("credit notes issued"))
    seconds = models.FloatField(
        null=True, blank=True, help_text=_("How long the run's transaction took."), verbose_name=_("seconds")
    )

    class Meta:
        verbose_name = _("invoice run")
        verbose_name_plural = _("invoice runs")
        ordering = ["-business_date"]

    def __str__(self) -> str:
        return f"Run {self.business_date} ({self.status})"


class Invoice(models.Model):
    kind = models.CharField(max_length=12, choices=DocumentKind.choices, verbose_name=_("kind"))
    origin = models.CharField(max_length=10, choices=DocumentOrigin.choices, verbose_name=_("origin"))
    number = models.CharField(max_length=40, unique=True, verbose_name=_("number"))
    issued_on = models.DateField(
        help_text=_("The issue date printed on the document."), verbose_name=_("issued on")
    )
    issued_at = models.DateTimeField(auto_now_add=True, verbose_name=_("issued at"))
    business_date = models.DateField(
        db_index=True,
        help_text=_("The day of sales it covers (the run's day; the ERP's invoice date)."),
        verbose_name=_("business date"),
    )
    run = models.ForeignKey(
        InvoiceRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("run"),
    )
    credited_invoice = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        help_text=_("The invoice a credit note credits."),
        verbose_name=_("credited invoice"),
    )
    erp_number = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("The ERP's own number of an imported invoice."),
        verbose_name=_("ERP number"),
    )
    # Who bought: a customer account, or a guest of the web shop (by e-mail). Snapshotted.
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("customer"),
    )
    customer_email = models.EmailField(blank=True, verbose_name=_("customer e-mail"))
    customer_name = models.CharField(max_length=200, verbose_name=_("customer name"))
    billing_address = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("{first_name, last_name, line1, line2, postal_code, city, country}"),
        verbose_name=_("billing address"),
    )
    customer_company = models.CharField(max_length=200, blank=True, verbose_name=_("customer company"))
    customer_vat_number = models.CharField(max_length=32, blank=True, verbose_name=_("customer VAT number"))
    customer_siren = models.CharField(max_length=9, blank=True, verbose_name=_("customer SIREN"))
    is_business = models.BooleanField(default=False, verbose_name=_("business"))
    language = models.CharField(max_length=8, default="fr", verbose_name=_("language"))
    # The seller as it was on the issue date (core.legal.Seller.as_snapshot()).
    seller = models.JSONField(default=dict, verbose_name=_("seller"))
    currency = models.CharField(max_length=3, default="EUR", verbose_name=_("currency"))
    total_net = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total net"))
    total_vat = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total VAT"))
    total_gross = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total gross"))
    vat_breakdown = models.JSONField(
        default=list,
        help_text=_('[{"rate": "0.2000", "net": "10.00", "vat": "2.00", "gross": "12.00"}]'),
        verbose_name=_("VAT breakdown"),
    )
    paid_amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("paid amount")
    )
    payments = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            'How it was paid: [{"method": "card", "label": "Carte", "amount": "12.00", "date": "..."}]'
        ),
        verbose_name=_("payments"),
    )
    payment_terms = models.CharField(max_length=250, blank=True, verbose_name=_("payment terms"))
    due_date = models.DateField(
        null=True, blank=True, verbose_name=_("due date"), help_text=_("Orders on payment terms (B2B).")
    )
    late_penalty = models.CharField(
        max_length=250,
        blank=True,
        help_text=_("Business customers: the late-payment penalty rate."),
        verbose_name=_("late penalty"),
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-issued_on"]),
            models.Index(fields=["customer_email", "-issued_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["erp_number"], condition=~Q(erp_number=""), name="invoicing_erp_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="credit_note") | Q(credited_invoice__isnull=True),
                name="invoicing_only_credit_notes_credit",
            ),
            models.CheckConstraint(condition=Q(total_gross__gte=0), name="invoicing_total_gross_gte_0"),
        ]
        permissions = [("resend_invoice", "Can send an invoice or credit note to its customer again")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == DocumentKind.CREDIT_NOTE

    @property
    def amount_due(self) -> Decimal:
        return self.total_gross - self.paid_amount


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveIntegerField(verbose_name=_("position"))
    is_credit = models.BooleanField(
        default=False,
        help_text=_("A credit note's line (copied from its document)."),
        verbose_name=_("credit note"),
    )
    channel = models.CharField(max_length=8, choices=LineChannel.choices, verbose_name=_("channel"))
    place = models.CharField(
        max_length=120,
        help_text=_('Where it was bought: "Web shop", "Boutique Ajaccio".'),
        verbose_name=_("place"),
    )
    sale_date = models.DateField(verbose_name=_("sale date"))
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("order"),
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
        verbose_name=_("order line"),
    )
    source_key = models.CharField(
        max_length=80,
        blank=True,
        help_text=_(
            'What a credit line credits, once: "action:12:line:34", "return:5:line:9", "action:12:shipping".'
        ),
        verbose_name=_("source key"),
    )
    sku = models.CharField(max_length=64, blank=True, verbose_name=_("SKU"))
    label = models.CharField(max_length=250, verbose_name=_("label"))
    quantity = models.DecimalField(max_digits=12, decimal_places=3, verbose_name=_("quantity"))
    unit_price_net = models.DecimalField(max_digits=12, decimal_places=4, verbose_name=_("unit price (net)"))
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4, verbose_name=_("VAT rate"))
    discount_gross = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("discount gross")
    )
    total_net = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total net"))
    total_vat = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total VAT"))
    total_gross = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total gross"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoicing_line_position_unique"),
            # Every sold order line is invoiced once.
            models.UniqueConstraint(
                fields=["order_line"],
                condition=Q(is_credit=False, order_line__isnull=False),
                name="invoicing_order_line_invoiced_once",
            ),
            # Every return, refund or cancellation is credited once.
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="invoicing_source_credited_once"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="invoicing_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.position} {self.label}"


class InvoicePdf(models.Model):
    """The document's PDF (Factur-X), inserted once after the document committed, never regenerated."""

    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, related_name="pdf", verbose_name=_("invoice")
    )
    file = models.FileField(upload_to="invoices/%Y/%m/", verbose_name=_("file"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    size = models.PositiveIntegerField(verbose_name=_("size"))
    rendered_at = models.DateTimeField(auto_now_add=True, verbose_name=_("rendered at"))
    render_seconds = models.FloatField(default=0, verbose_name=_("render seconds"))

    class Meta:
        verbose_name_plural = _("invoice PDFs")
        verbose_name = _("invoice PDF")

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.sha256[:12]}"


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (opted out or no e-mail)")


class InvoiceDelivery(models.Model):
    """Each e-mail of a document to its customer (the first one and every re-send)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("invoice")
    )
    to = models.EmailField(blank=True, verbose_name=_("recipient"))
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, verbose_name=_("status"))
    error = models.CharField(max_length=250, blank=True, verbose_name=_("error"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    key = models.CharField(
        max_length=80,
        unique=True,
        help_text=_("One e-mail per key (initial:<id>, resend:...)."),
        verbose_name=_("key"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("invoice delivery")
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("invoice deliveries")

    def __str__(self) -> str:
        return f"{self.invoice_id} -> {self.to} ({self.status})"


# The daily run's work list lives in its own module; importing it here registers it.
from .queue_models import InvoiceQueueEntry as InvoiceQueueEntry  # noqa: E402
