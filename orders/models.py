"""Orders of every channel: the web shop and the stores write the same rows.

Money: every amount is Decimal, rounded to the cent once per line in ``orders.services`` (see its
docstring), in the order's ``currency``; ``*_eur`` fields repeat the totals in euros at
``exchange_rate`` so reports add up across currencies.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Web shop")
    STORE = "store", _("Store")


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    # E-reservation (orders.services.ereservation): held at a store to try, paid at the till or not.
    RESERVED = "reserved", _("Reserved in store")
    BOUGHT_IN_STORE = "bought_in_store", _("Bought in store")


class DeliveryMethod(models.TextChoices):
    HOME = "home", _("Home delivery")
    CLICK_AND_COLLECT = "click_collect", _("Click & collect")
    IN_STORE = "in_store", _("Sold in store")
    RESERVE_IN_STORE = "reserve_store", _("Reserved to try in store")


class Approval(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Order(models.Model):
    number = models.CharField(max_length=32, unique=True, verbose_name=_("number"))
    channel = models.CharField(max_length=8, choices=Channel.choices, verbose_name=_("channel"))
    status = models.CharField(
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        verbose_name=_("status"),
    )
    delivery_method = models.CharField(
        max_length=16, choices=DeliveryMethod.choices, verbose_name=_("delivery method")
    )
    location = models.ForeignKey(
        "inventory.Location",
        on_delete=models.PROTECT,
        related_name="orders",
        help_text=_("Where the stock comes from: the store that sold it or that the shopper collects at."),
        verbose_name=_("location"),
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("customer"),
    )
    shop = models.ForeignKey(
        "shops.Shop",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shop"),
        help_text=_("The web shop it was placed on; none for the stores' orders."),
    )
    email = models.EmailField(blank=True, verbose_name=_("e-mail"))
    phone = models.CharField(
        max_length=32, blank=True, help_text=_("For pickup text messages."), verbose_name=_("phone")
    )
    # B2B (orders.services.b2b): the company the buyer ordered for, the terms it pays on ("" paid
    # online), the due date once accepted on terms, when the money arrived, and the approval.
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("company"),
    )
    payment_terms = models.CharField(max_length=10, blank=True, verbose_name=_("payment terms"))
    due_date = models.DateField(null=True, blank=True, verbose_name=_("due date"))
    terms_paid_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("paid on terms at"),
        help_text=_("When the company's payment arrived."),
    )
    approval = models.CharField(
        max_length=10, choices=Approval.choices, blank=True, default="", verbose_name=_("approval")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approved_orders",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))
    language = models.CharField(
        max_length=8,
        default="fr",
        help_text=_("The shopper's language: e-mails and texts use it."),
        verbose_name=_("language"),
    )
    currency = models.CharField(max_length=3, default="EUR", verbose_name=_("currency"))
    exchange_rate = models.DecimalField(
        max_digits=12,
        decimal_places=6,
        default=1,
        help_text=_("Units per EUR."),
        verbose_name=_("exchange rate"),
    )
    total_net = models.DecimalField(max_digits=12, decimal_places=2, default=0, verbose_name=_("total net"))
    total_vat = models.DecimalField(max_digits=12, decimal_places=2, default=0, verbose_name=_("total VAT"))
    total_gross = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("total gross")
    )
    total_gross_eur = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("total gross (EUR)")
    )
    discount_gross = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Promotions and coupon, TTC, in EUR: the sum of the lines' discounts."),
        verbose_name=_("discount gross"),
    )
    shipping_gross = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Delivery, TTC, in EUR (0 when free)."),
        verbose_name=_("shipping gross"),
    )
    carrier = models.CharField(
        max_length=20,
        blank=True,
        help_text=_("The carrier's code (home delivery)."),
        verbose_name=_("carrier"),
    )
    routing = models.CharField(
        max_length=250,
        blank=True,
        help_text=_("Home delivery: where it ships from and why (orders.services.routing)."),
        verbose_name=_("routing"),
    )
    shipping_address = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Snapshot: first_name, last_name, line1, line2, postal_code, city, country, phone."),
        verbose_name=_("shipping address"),
    )
    reference = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("The client's own id (POS sale UUID, ERP order number)."),
        verbose_name=_("reference"),
    )
    refunded_gross = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_(
            "Given back so far (lines, shipping, free amounts), TTC, in EUR (orders.services.after_sales)."
        ),
        verbose_name=_("refunded gross"),
    )
    shipping_refunded = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Of which shipping, TTC, in EUR."),
        verbose_name=_("shipping refunded"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(total_gross__gte=0), name="order_total_gte_0"),
            models.CheckConstraint(
                condition=Q(refunded_gross__gte=0) & Q(refunded_gross__lte=F("total_gross_eur")),
                name="order_refunded_within_total",
            ),
            models.CheckConstraint(
                condition=Q(shipping_refunded__gte=0) & Q(shipping_refunded__lte=F("shipping_gross")),
                name="order_shipping_refunded_within_shipping",
            ),
            models.UniqueConstraint(
                fields=["channel", "reference"], condition=~Q(reference=""), name="order_reference_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["status", "location"]),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """A price snapshot: what the variant cost when ordered, whatever the catalog says later."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("variant")
    )
    sku = models.CharField(max_length=64, verbose_name=_("SKU"))
    name = models.CharField(max_length=250, verbose_name=_("name"))
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    unit_price_net = models.DecimalField(max_digits=12, decimal_places=4, verbose_name=_("unit price (net)"))
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4, verbose_name=_("VAT rate"))
    discount_gross = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("discount gross")
    )
    total_net = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total net"))
    total_vat = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total VAT"))
    total_gross = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total gross"))
    reservation = models.ForeignKey(
        "inventory.Reservation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("reservation"),
    )
    # After sales (orders.services.after_sales): units cancelled before shipping, units that came
    # back (RMA or till), units refunded after shipping, and the money given back for the line (EUR).
    quantity_cancelled = models.PositiveIntegerField(default=0, verbose_name=_("quantity cancelled"))
    quantity_returned = models.PositiveIntegerField(default=0, verbose_name=_("quantity returned"))
    quantity_refunded = models.PositiveIntegerField(default=0, verbose_name=_("quantity refunded"))
    refunded_gross = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("refunded gross")
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_gt_0"),
            models.CheckConstraint(condition=Q(total_gross__gte=0), name="order_line_total_gte_0"),
            models.CheckConstraint(
                condition=Q(quantity_cancelled__lte=F("quantity") - F("quantity_refunded")),
                name="order_line_cancelled_refunded_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(quantity_returned__lte=F("quantity") - F("quantity_cancelled")),
                name="order_line_returned_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(refunded_gross__gte=0) & Q(refunded_gross__lte=F("total_gross")),
                name="order_line_refunded_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"

    @property
    def gross_before_discount(self) -> Decimal:
        """What the line cost before its discount (TTC), as the receipt shows it."""
        return self.total_gross + self.discount_gross

    @property
    def quantity_open(self) -> int:
        """Units still owed to the shopper or kept by them: neither cancelled nor refunded."""
        return self.quantity - self.quantity_cancelled - self.quantity_refunded


class OrderStatusChange(models.Model):
    """The audit trail: every status an order went through, who moved it, and why."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("order")
    )
    from_status = models.CharField(
        max_length=20, choices=OrderStatus.choices, blank=True, verbose_name=_("from status")
    )
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices, verbose_name=_("to status"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    note = models.CharField(max_length=250, blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("order status change")
        verbose_name_plural = _("order status changes")
        ordering = ["created_at", "id"]
        # "Which orders reached a status in a period" (the dashboard's pick-up delay: collected
        # this week; the ERP export's payments) without reading every order's history.
        indexes = [models.Index(fields=["to_status", "created_at"], name="order_change_status_at")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '-'} -> {self.to_status}"


class CartStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MERGED = "merged", _("Merged into another cart")
    CHECKED_OUT = "checked_out", _("Checked out")


class Cart(models.Model):
    """A shopper's basket: kept in the session for anonymous shoppers, tied to the user once signed
    in, addressed by ``token`` from the API. Prices are never stored here: they are computed when
    the cart is shown (``orders.services.cart.price_cart``) and snapshotted on the order."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("token"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="carts",
        verbose_name=_("user"),
    )
    status = models.CharField(
        max_length=12, choices=CartStatus.choices, default=CartStatus.OPEN, verbose_name=_("status")
    )
    shop = models.ForeignKey(
        "shops.Shop",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shop"),
    )
    currency = models.CharField(max_length=3, default="EUR", verbose_name=_("currency"))
    coupon_code = models.CharField(max_length=40, blank=True, verbose_name=_("coupon code"))
    order = models.OneToOneField(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="cart", verbose_name=_("order")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return str(self.token)


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines", verbose_name=_("cart"))
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="cart_lines", verbose_name=_("variant")
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("added at"))

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_unique_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"


class EReservationOutcome(models.TextChoices):
    ACTIVE = "active", _("Held")
    SOLD = "sold", _("Sold at the till")
    CANCELLED = "cancelled", _("Cancelled by the shopper")
    RELEASED = "released", _("Released by the store")
    EXPIRED = "expired", _("Expired")


class EReservation(models.Model):
    """What an e-reservation order (delivery method ``reserve_store``) needs beyond the order: who
    comes to try, until when the store holds the units, and how it ended. The order carries the
    status (reserved, then bought in store or cancelled), the lines and their inventory reservations;
    the till sale that bought the units is ``sale_order`` (orders.services.ereservation)."""

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, related_name="e_reservation", verbose_name=_("order")
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    hold_until = models.DateTimeField(
        help_text=_("The store holds the units until then; the expiry task releases them after."),
        verbose_name=_("held until"),
    )
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reminded at"))
    outcome = models.CharField(
        max_length=12,
        choices=EReservationOutcome.choices,
        default=EReservationOutcome.ACTIVE,
        verbose_name=_("outcome"),
    )
    reason = models.CharField(max_length=250, blank=True, verbose_name=_("reason"))
    sale_order = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The till sale that bought the units."),
        verbose_name=_("sale"),
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("e-reservation")
        verbose_name_plural = _("e-reservations")
        indexes = [models.Index(fields=["outcome", "hold_until"], name="ereservation_due")]

    def __str__(self) -> str:
        return f"{self.order_id} ({self.outcome})"


class UsualOrder(models.Model):
    """A saved list of products and quantities ("Weekly order") that a buyer puts back in the cart in
    one click (``orders.services.quick_order``). A company's lists are shared by all its members
    (``company`` set); a shopper's are their own (``user`` set). Exactly one owner."""

    name = models.CharField(max_length=80, verbose_name=_("name"))
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="usual_orders",
        verbose_name=_("company"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="usual_orders",
        verbose_name=_("user"),
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
        verbose_name = _("usual order")
        verbose_name_plural = _("usual orders")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(company__isnull=False) & Q(user__isnull=True))
                | (Q(company__isnull=True) & Q(user__isnull=False)),
                name="usual_order_one_owner",
            ),
            models.UniqueConstraint(
                fields=["company", "name"],
                condition=Q(company__isnull=False),
                name="usual_order_company_name",
            ),
            models.UniqueConstraint(
                fields=["user", "name"], condition=Q(user__isnull=False), name="usual_order_user_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UsualOrderLine(models.Model):
    usual_order = models.ForeignKey(
        UsualOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("usual order")
    )
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="+", verbose_name=_("variant")
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))

    class Meta:
        verbose_name = _("usual order line")
        verbose_name_plural = _("usual order lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["usual_order", "variant"], name="usual_order_line_unique_variant"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="usual_order_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"


# The notification log lives in its own module (orders.notification_log); importing it here registers it.
from .notification_log import NotificationChannel as NotificationChannel  # noqa: E402
from .notification_log import NotificationKind as NotificationKind  # noqa: E402
from .notification_log import NotificationLog as NotificationLog  # noqa: E402
from .order_actions import OrderAction as OrderAction  # noqa: E402
from .order_actions import OrderActionKind as OrderActionKind  # noqa: E402
from .quote_models import Quote as Quote  # noqa: E402
from .quote_models import QuoteLine as QuoteLine  # noqa: E402
from .quote_models import QuoteStatus as QuoteStatus  # noqa: E402
from .shop_options import ShopCheckoutOptions as ShopCheckoutOptions  # noqa: E402
