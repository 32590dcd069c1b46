"""The reporting tables: facts derived from the orders, and the daily roll-up the dashboard reads.

Nothing here is a business record. Every row is derived from ``orders`` (and ``pos``, ``payments``,
``pricing``) by ``reporting.facts`` and can be rebuilt from them at any time
(``manage.py rebuild_reports``); ``manage.py check_reports`` compares them with the orders.

- ``SalesFact``: one row per order line per document: the sale (at the sale moment: a web order's
  payment, a till sale's time, an archived order's date) and each later cancellation or return of
  some of its units (at that moment, negative), plus a money-only row per refund. Amounts in EUR.
  Every fact carries its ``shop``: the web order's (a web order from before shops: the default
  shop's), none for a till sale (the stores).
- ``PaymentFact``: one row per payment taken (web: a captured payment; till: a tender, net of change).
- ``SalesDay``: the facts summed per local day x location x channel x shop: what the overview reads.
- ``FactOrder``: one row per order that has facts; its row lock serialises two refreshes of one order.
- ``SalesCube``: the facts summed per month x location x channel x value of one breakdown (category
  and each of its parents, product, variant, cashier, coupon, weekday-hour slot): what the breakdowns
  read for the whole months of a period (``reporting.cube``).
- ``CustomerDay``: an identified customer's facts summed per day and location, and ``CustomerFirst``
  their first purchase (anywhere, per location): what the customers report reads.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


def shop_field() -> models.ForeignKey:  # type: ignore[type-arg]
    """The shop of a fact or roll-up row: a web order's shop; none for the stores' till sales."""
    return models.ForeignKey(
        "shops.Shop",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shop"),
        help_text=_("The web shop of the order; none for the stores' till sales."),
    )


def amount(help_text: Any = "", *, verbose_name: Any = None) -> models.DecimalField:  # type: ignore[type-arg]
    """EUR, to the cent, zero by default."""
    return models.DecimalField(
        max_digits=14, decimal_places=2, default=0, help_text=help_text, verbose_name=verbose_name
    )


class ReportChannel(models.TextChoices):
    """How the customer bought: the web with delivery, the web collected in a store, a store's till."""

    WEB = "web", _("Web (delivery)")
    CLICK_COLLECT = "click_collect", _("Click & collect")
    STORE = "store", _("Store")


class FactKind(models.TextChoices):
    SALE = "sale", _("Sale")
    CANCEL = "cancel", _("Cancellation")
    RETURN = "return", _("Return")
    REFUND = "refund", _("Refund")


class FactOrder(models.Model):
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("order")
    )
    refreshed_at = models.DateTimeField(auto_now=True, verbose_name=_("refreshed at"))

    class Meta:
        verbose_name = _("order fact")
        verbose_name_plural = _("order facts")

    def __str__(self) -> str:
        return f"order {self.order_id}"


class SalesFact(models.Model):
    key = models.CharField(
        max_length=64,
        unique=True,
        help_text=_('"sale:<line>", "return:<action>:<line>"...'),
        verbose_name=_("key"),
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("order")
    )
    kind = models.CharField(max_length=8, choices=FactKind.choices, verbose_name=_("kind"))
    at = models.DateTimeField(verbose_name=_("date and time"))
    day = models.DateField(help_text=_("Local (Europe/Paris) date of ``at``."), verbose_name=_("day"))
    hour = models.PositiveSmallIntegerField(help_text=_("Local hour, 0-23."), verbose_name=_("hour"))
    weekday = models.PositiveSmallIntegerField(
        help_text=_("0 Monday ... 6 Sunday."), verbose_name=_("weekday")
    )
    channel = models.CharField(max_length=16, choices=ReportChannel.choices, verbose_name=_("channel"))
    shop = shop_field()
    location = models.ForeignKey(
        "inventory.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("location"),
    )
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cashier"),
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("customer"),
    )
    variant = models.ForeignKey(
        "catalog.Variant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("variant"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product"),
    )
    category = models.ForeignKey(
        "catalog.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    coupon = models.CharField(
        max_length=120, blank=True, help_text=_("Coupon code(s) the order used."), verbose_name=_("coupon")
    )
    units = models.IntegerField(
        default=0, help_text=_("Sold (+) or cancelled / returned (-)."), verbose_name=_("units")
    )
    revenue_ht = amount(verbose_name=_("revenue (HT)"))
    revenue_ttc = amount(verbose_name=_("revenue (TTC)"))
    discount_ttc = amount(verbose_name=_("discount (TTC)"))
    cost_ht = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("None: the variant has no cost."),
        verbose_name=_("cost (HT)"),
    )
    shipping_ttc = amount(verbose_name=_("shipping (TTC)"))
    refund_ttc = amount(_("Money given back by this document."))

    class Meta:
        verbose_name = _("sales fact")
        verbose_name_plural = _("sales facts")
        indexes = [
            models.Index(fields=["day", "location", "channel"], name="rep_fact_day_loc"),
            models.Index(fields=["order"], name="rep_fact_order"),
        ]

    def __str__(self) -> str:
        return self.key


class PaymentFact(models.Model):
    key = models.CharField(max_length=64, unique=True, verbose_name=_("key"))
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("order")
    )
    at = models.DateTimeField(verbose_name=_("date and time"))
    day = models.DateField(verbose_name=_("day"))
    channel = models.CharField(max_length=16, choices=ReportChannel.choices, verbose_name=_("channel"))
    shop = shop_field()
    location = models.ForeignKey(
        "inventory.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("location"),
    )
    method = models.CharField(
        max_length=16,
        help_text=_("stripe, paypal, test; cash, card, mobile, store_credit."),
        verbose_name=_("method"),
    )
    amount = amount(verbose_name=_("amount"))

    class Meta:
        verbose_name = _("payment fact")
        verbose_name_plural = _("payment facts")
        indexes = [models.Index(fields=["day", "location", "channel"], name="rep_pay_day_loc")]

    def __str__(self) -> str:
        return self.key


class PickupFact(models.Model):
    """One click & collect order collected: how long it waited in the store once ready (the overview's
    pick-up delay), on the local day it was collected."""

    key = models.CharField(
        max_length=64, unique=True, help_text=_('"pickup:<status change>"'), verbose_name=_("key")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("order")
    )
    day = models.DateField(verbose_name=_("day"))
    shop = shop_field()
    location = models.ForeignKey(
        "inventory.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("location"),
    )
    seconds = models.PositiveIntegerField(
        help_text=_("From ready for pick-up to collected."), verbose_name=_("seconds")
    )

    class Meta:
        verbose_name = _("pickup fact")
        verbose_name_plural = _("pickup facts")
        indexes = [models.Index(fields=["day", "location"], name="rep_pickup_day_loc")]

    def __str__(self) -> str:
        return self.key


class SalesDay(models.Model):
    """The facts of one local day, location and channel, summed (``reporting.facts.roll_up``)."""

    day = models.DateField(verbose_name=_("day"))
    location = models.ForeignKey(
        "inventory.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("location"),
    )
    channel = models.CharField(max_length=16, choices=ReportChannel.choices, verbose_name=_("channel"))
    shop = shop_field()
    orders = models.IntegerField(default=0, help_text=_("Orders sold that day."), verbose_name=_("orders"))
    identified_orders = models.IntegerField(
        default=0, help_text=_("Of which with a known customer."), verbose_name=_("identified orders")
    )
    units_sold = models.IntegerField(default=0, verbose_name=_("units sold"))
    units_cancelled = models.IntegerField(default=0, verbose_name=_("units cancelled"))
    units_returned = models.IntegerField(default=0, verbose_name=_("units returned"))
    sales_ht = amount(_("Goods sold, before cancellations and returns."))
    sales_ttc = amount(verbose_name=_("sales (TTC)"))
    revenue_ht = amount(_("Net of that day's cancellations and returns."))
    revenue_ttc = amount(verbose_name=_("revenue (TTC)"))
    discount_ttc = amount(verbose_name=_("discount (TTC)"))
    cost_ht = amount(_("Cost of the net units that have a cost."))
    costed_revenue_ht = amount(_("Net revenue of the units that have a cost (the margin's base)."))
    shipping_ttc = amount(verbose_name=_("shipping (TTC)"))
    refunds_ttc = amount(verbose_name=_("refunds (TTC)"))

    class Meta:
        verbose_name = _("sales day")
        verbose_name_plural = _("sales days")
        constraints = [  # one row per key, "no location" included (NULLs would be distinct)
            models.UniqueConstraint(
                "day",
                Coalesce("location", Value(0)),
                "channel",
                Coalesce("shop", Value(0)),
                name="rep_day_unique",
            )
        ]
        indexes = [models.Index(fields=["day"], name="rep_day_day")]
        permissions = [
            ("view_chain_dashboard", "Can see the KPI dashboard of every store and the web"),
            ("view_store_dashboard", "Can see the KPI dashboard of their own store"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} @ {self.location_id} shop {self.shop_id}"


class CubeDimension(models.TextChoices):
    CATEGORY = "category", _("Category (and each parent)")
    PRODUCT = "product", _("Product")
    VARIANT = "variant", _("Variant")
    CASHIER = "cashier", _("Cashier")
    COUPON = "coupon", _("Coupon")
    SLOT = "slot", _("Weekday and hour (weekday x 24 + hour)")


class CubeGrain(models.TextChoices):
    YEAR = "y", _("Year")
    MONTH = "m", _("Month")
    WEEK = "w", _("Week")


class SalesCube(models.Model):
    """The facts of one calendar year, month or week (``grain``), location and channel summed per value
    of one breakdown (``reporting.cube``), kept equal to them by the same transaction that writes the facts.
    Units cancelled and returned are negative, as in the facts; ``orders`` counts orders sold (an
    order is sold at one moment, so the months add up)."""

    grain = models.CharField(
        max_length=1, choices=CubeGrain.choices, default=CubeGrain.MONTH, verbose_name=_("granularity")
    )
    start = models.DateField(
        help_text=_("First day of the year or the month, or the week's Monday."),
        verbose_name=_("period start"),
    )
    location_key = models.IntegerField(
        help_text=_("The location's id; 0 for none."), verbose_name=_("location key")
    )
    channel = models.CharField(max_length=16, choices=ReportChannel.choices, verbose_name=_("channel"))
    shop_key = models.IntegerField(
        default=-1,
        help_text=_("The shop's id; 0 for the stores (no shop); -1 for every shop (the chain's rows)."),
        verbose_name=_("shop key"),
    )
    dimension = models.CharField(max_length=8, choices=CubeDimension.choices, verbose_name=_("dimension"))
    ref = models.BigIntegerField(
        default=0, help_text=_("Category, product, variant, cashier id or slot."), verbose_name=_("reference")
    )
    code = models.CharField(
        max_length=120, blank=True, help_text=_("The coupon code(s)."), verbose_name=_("code")
    )
    orders = models.IntegerField(default=0, verbose_name=_("orders"))
    units = models.IntegerField(default=0, verbose_name=_("units"))
    units_sold = models.IntegerField(default=0, verbose_name=_("units sold"))
    units_cancelled = models.IntegerField(default=0, verbose_name=_("units cancelled"))
    units_returned = models.IntegerField(default=0, verbose_name=_("units returned"))
    sales_ttc = amount(verbose_name=_("sales (TTC)"))
    revenue_ht = amount(verbose_name=_("revenue (HT)"))
    revenue_ttc = amount(verbose_name=_("revenue (TTC)"))
    discount_ttc = amount(verbose_name=_("discount (TTC)"))
    cost_ht = amount(verbose_name=_("cost (HT)"))
    costed_revenue_ht = amount(verbose_name=_("costed revenue (HT)"))

    class Meta:
        verbose_name = _("sales cube")
        verbose_name_plural = _("sales cubes")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "location_key", "shop_key", "grain", "start", "channel", "ref", "code"],
                name="rep_cube_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grain}{self.start} {self.dimension} {self.ref or self.code} @ {self.location_key}"


class CustomerDay(models.Model):
    """One identified customer's facts of one day at one location, summed (``reporting.cube``)."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    day = models.DateField(verbose_name=_("day"))
    location_key = models.IntegerField(
        help_text=_("The location's id; 0 for none."), verbose_name=_("location key")
    )
    orders = models.IntegerField(default=0, help_text=_("Orders sold."), verbose_name=_("orders"))
    revenue_ttc = amount(_("Net of cancellations and returns."))

    class Meta:
        verbose_name = _("customer day")
        verbose_name_plural = _("customer days")
        constraints = [
            models.UniqueConstraint(fields=["customer", "day", "location_key"], name="rep_cust_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="rep_cust_day_day")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.day} @ {self.location_key}"


class CustomerFirst(models.Model):
    """An identified customer's first purchase day, anywhere (``location_key`` -1) and at each
    location (``reporting.cube``): new or returning, and the cohorts. Its row anywhere is also the lock
    that serialises two refreshes touching one customer (``first_day`` None: no purchase left)."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    location_key = models.IntegerField(
        help_text=_("The location's id; -1 for anywhere."), verbose_name=_("location key")
    )
    first_day = models.DateField(null=True, blank=True, verbose_name=_("first day"))

    class Meta:
        verbose_name = _("customer's first order")
        verbose_name_plural = _("customers' first orders")
        constraints = [
            models.UniqueConstraint(fields=["customer", "location_key"], name="rep_cust_first_unique")
        ]
        indexes = [models.Index(fields=["location_key", "first_day"], name="rep_cust_first_day")]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.location_key}: {self.first_day}"


class WeeklySummarySent(models.Model):
    """One weekly summary e-mail per recipient and week (``reporting.weekly``): sent once."""

    week_start = models.DateField(verbose_name=_("week start"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("weekly summary sent")
        verbose_name_plural = _("weekly summaries sent")
        constraints = [models.UniqueConstraint(fields=["week_start", "user"], name="rep_weekly_once")]

    def __str__(self) -> str:
        return f"{self.week_start} -> {self.user_id}"
