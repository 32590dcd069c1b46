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


class DeliveryMethod(models.TextChoices):
    HOME = "home", _("Home delivery")
    CLICK_AND_COLLECT = "click_collect", _("Click & collect")
    IN_STORE = "in_store", _("Sold in store")


class Order(models.Model):
    number = models.CharField(max_length=32, unique=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT)
    delivery_method = models.CharField(max_length=16, choices=DeliveryMethod.choices)
    location = models.ForeignKey(
        "inventory.Location",
        on_delete=models.PROTECT,
        related_name="orders",
        help_text=_("Where the stock comes from: the store that sold it or that the shopper collects at."),
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True, help_text=_("For pickup text messages."))
    language = models.CharField(
        max_length=8, default="fr", help_text=_("The shopper's language: e-mails and texts use it.")
    )
    currency = models.CharField(max_length=3, default="EUR")
    exchange_rate = models.DecimalField(
        max_digits=12, decimal_places=6, default=1, help_text=_("Units per EUR.")
    )
    total_net = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total_vat = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total_gross = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total_gross_eur = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    discount_gross = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Promotions and coupon, TTC, in EUR: the sum of the lines' discounts."),
    )
    shipping_gross = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text=_("Delivery, TTC, in EUR (0 when free).")
    )
    carrier = models.CharField(max_length=20, blank=True, help_text=_("The carrier's code (home delivery)."))
    routing = models.CharField(
        max_length=250,
        blank=True,
        help_text=_("Home delivery: where it ships from and why (orders.services.routing)."),
    )
    shipping_address = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Snapshot: first_name, last_name, line1, line2, postal_code, city, country, phone."),
    )
    reference = models.CharField(
        max_length=120, blank=True, help_text=_("The client's own id (POS sale UUID, ERP order number).")
    )
    refunded_gross = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_(
            "Given back so far (lines, shipping, free amounts), TTC, in EUR (orders.services.after_sales)."
        ),
    )
    shipping_refunded = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text=_("Of which shipping, TTC, in EUR.")
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="order_lines")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=250)
    quantity = models.PositiveIntegerField()
    unit_price_net = models.DecimalField(max_digits=12, decimal_places=4)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4)
    discount_gross = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total_net = models.DecimalField(max_digits=12, decimal_places=2)
    total_vat = models.DecimalField(max_digits=12, decimal_places=2)
    total_gross = models.DecimalField(max_digits=12, decimal_places=2)
    reservation = models.ForeignKey(
        "inventory.Reservation", null=True, blank=True, on_delete=models.PROTECT, related_name="order_lines"
    )
    # After sales (orders.services.after_sales): units cancelled before shipping, units that came
    # back (RMA or till), units refunded after shipping, and the money given back for the line (EUR).
    quantity_cancelled = models.PositiveIntegerField(default=0)
    quantity_returned = models.PositiveIntegerField(default=0)
    quantity_refunded = models.PositiveIntegerField(default=0)
    refunded_gross = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
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

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="carts"
    )
    status = models.CharField(max_length=12, choices=CartStatus.choices, default=CartStatus.OPEN)
    currency = models.CharField(max_length=3, default="EUR")
    coupon_code = models.CharField(max_length=40, blank=True)
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="cart")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return str(self.token)


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="cart_lines")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_unique_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"


# The notification log lives in its own module (orders.notification_log); importing it here registers it.
from .notification_log import NotificationChannel as NotificationChannel  # noqa: E402
from .notification_log import NotificationKind as NotificationKind  # noqa: E402
from .notification_log import NotificationLog as NotificationLog  # noqa: E402
from .order_actions import OrderAction as OrderAction  # noqa: E402
from .order_actions import OrderActionKind as OrderActionKind  # noqa: E402
