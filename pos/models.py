"""The point of sale: registers, their sessions, the cash ledger and the sales recorded through them.

A store sale is an ``orders.Order`` (channel store, in store, completed); ``PosSale`` ties it to the
register session and to the client's UUID (idempotent offline sync), ``SaleTender`` says how it was
paid. ``CashMovement`` is append-only: a session's expected cash is the sum of its movements.
Only ``pos.services`` writes to these tables.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Register(models.Model):
    store = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="registers", verbose_name=_("store")
    )
    code = models.SlugField(max_length=30, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=80, verbose_name=_("name"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("registers")
        ordering = ["store_id", "code"]
        permissions = [
            ("use_register", "Can open and close register sessions and sell"),
            ("give_discount", "Can give a line discount at the register"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SessionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RegisterSession(models.Model):
    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("register")
    )
    status = models.CharField(
        max_length=8, choices=SessionStatus.choices, default=SessionStatus.OPEN, verbose_name=_("status")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opened at"))
    opening_float = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("opening float"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    counted_cash = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Cash counted at closing, per denomination: {"20.00": 3, ...}'),
        verbose_name=_("counted cash"),
    )
    expected = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Expected amount per tender at closing."),
        verbose_name=_("expected"),
    )
    counted = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Counted amount per tender at closing."),
        verbose_name=_("counted"),
    )
    difference = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Counted minus expected, all tenders."),
        verbose_name=_("difference"),
    )

    class Meta:
        verbose_name = _("register session")
        verbose_name_plural = _("register sessions")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["register"], condition=Q(status="open"), name="pos_one_open_session_per_register"
            ),
            models.CheckConstraint(condition=Q(opening_float__gte=0), name="pos_opening_float_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.register.code} #{self.pk} ({self.status})"


class CashMovementKind(models.TextChoices):
    OPENING_FLOAT = "opening_float", _("Opening float")
    SALE = "sale", _("Sale")
    REFUND = "refund", _("Refund")
    CASH_IN = "cash_in", _("Cash in")
    CASH_OUT = "cash_out", _("Cash out")


class Tender(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    MOBILE = "mobile", _("Mobile payment")
    STORE_CREDIT = "store_credit", _("Store credit")


class CashMovement(models.Model):
    """Append-only: every amount that moved through a session, signed (refunds and cash out < 0)."""

    session = models.ForeignKey(
        RegisterSession, on_delete=models.PROTECT, related_name="movements", verbose_name=_("session")
    )
    kind = models.CharField(max_length=16, choices=CashMovementKind.choices, verbose_name=_("kind"))
    tender = models.CharField(
        max_length=16, choices=Tender.choices, default=Tender.CASH, verbose_name=_("tender")
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    reference = models.CharField(max_length=120, blank=True, verbose_name=_("reference"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("cash movement")
        verbose_name_plural = _("cash movements")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["session", "tender"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.tender} {self.amount}"


class SaleTender(models.Model):
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="tenders", verbose_name=_("order")
    )
    session = models.ForeignKey(
        RegisterSession, on_delete=models.PROTECT, related_name="tenders", verbose_name=_("session")
    )
    tender = models.CharField(max_length=16, choices=Tender.choices, verbose_name=_("tender"))
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text=_("Amount tendered."), verbose_name=_("amount")
    )
    authorisation_reference = models.CharField(
        max_length=120, blank=True, verbose_name=_("authorisation reference")
    )
    change_given = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("change given")
    )

    class Meta:
        verbose_name = _("sale tender")
        verbose_name_plural = _("sale tenders")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pos_sale_tender_amount_gt_0")]

    def __str__(self) -> str:
        return f"{self.tender} {self.amount}"


class PosSale(models.Model):
    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, related_name="pos_sale", verbose_name=_("order")
    )
    session = models.ForeignKey(
        RegisterSession, on_delete=models.PROTECT, related_name="sales", verbose_name=_("session")
    )
    client_uuid = models.UUIDField(unique=True, verbose_name=_("client UUID"))
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("cashier")
    )
    was_offline = models.BooleanField(default=False, verbose_name=_("was offline"))
    sold_at = models.DateTimeField(
        help_text=_("When the register made the sale (client clock)."), verbose_name=_("sold at")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    member_discount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_(
            "The customer's standing (loyalty tier) discount, TTC, included in the lines' discounts."
        ),
        verbose_name=_("member discount"),
    )
    member_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, verbose_name=_("member percent")
    )
    member_name = models.CharField(
        max_length=60,
        blank=True,
        help_text=_('What grants the member discount, e.g. the tier "Gold".'),
        verbose_name=_("member name"),
    )

    class Meta:
        verbose_name = _("till sale")
        verbose_name_plural = _("till sales")
        ordering = ["-sold_at"]

    def __str__(self) -> str:
        return str(self.client_uuid)

    @property
    def member_label(self) -> str:
        """ "Gold member −5 %", in the language of the page printing it."""
        return member_discount_label(name=self.member_name, percent=self.member_percent)


def member_discount_label(*, name: str, percent: Decimal) -> str:
    """ "Gold member −5 %": what grants the discount (a tier's name) and its percent; without a name,
    "Member discount -5 %". The till's totals and the receipt print it."""
    shown = f"{Decimal(percent).normalize():f}"
    if name:
        return gettext("%(name)s member −%(percent)s %%") % {"name": name, "percent": shown}
    return gettext("Member discount −%(percent)s %%") % {"percent": shown}


class DiscrepancyStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class StockDiscrepancy(models.Model):
    """Goods that left the store although the stock said none was left (an offline sale)."""

    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="+", verbose_name=_("variant")
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stock_discrepancies",
        verbose_name=_("order"),
    )
    status = models.CharField(
        max_length=10,
        choices=DiscrepancyStatus.choices,
        default=DiscrepancyStatus.OPEN,
        verbose_name=_("status"),
    )
    note = models.CharField(max_length=250, blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("stock discrepancy")
        ordering = ["-created_at"]
        verbose_name_plural = _("stock discrepancies")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="pos_discrepancy_qty_gt_0")]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id} @ {self.location_id}"


# Returns, exchanges and store credit live in their own module; importing it here registers them.
# The till's chained journal (inalterability, NF525-style); importing it here registers it.
class FavouriteItem(models.Model):
    """A tile on the till's sale screen: goods without a barcode (bread, loose fruit, a service) the
    cashier taps instead of scanning. Per store, in ``position`` order; ``label`` (short) is what the
    tile says, the product's name when blank. Edited in the admin."""

    store = models.ForeignKey(
        "inventory.Location", on_delete=models.CASCADE, related_name="pos_favourites", verbose_name=_("store")
    )
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="pos_favourites", verbose_name=_("variant")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=40, blank=True)

    class Meta:
        ordering = ["store_id", "position", "id"]
        verbose_name = _("favourite item")
        verbose_name_plural = _("favourite items")
        constraints = [
            models.UniqueConstraint(fields=["store", "variant"], name="pos_favourite_once_per_store")
        ]

    def __str__(self) -> str:
        return self.label or str(self.variant_id)


from .journal_models import *  # noqa: E402, F401, F403
from .returns_models import *  # noqa: E402, F401, F403
