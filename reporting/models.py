"""The reporting tables: facts derived from the orders, and the daily roll-up the dashboard reads.

Nothing here is a business record. Every row is derived from ``orders`` (and ``pos``, ``payments``,
``pricing``) by ``reporting.facts`` and can be rebuilt from them at any time
(``manage.py rebuild_reports``); ``manage.py check_reports`` compares them with the orders.

- ``SalesFact``: one row per order line per document: the sale (at the sale moment: a web order's
  payment, a till sale's time, an archived order's date) and each later cancellation or return of
  some of its units (at that moment, negative), plus a money-only row per refund. Amounts in EUR.
- ``PaymentFact``: one row per payment taken (web: a captured payment; till: a tender, net of change).
- ``SalesDay``: the facts summed per local day x location x channel: what the overview reads.
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


def amount(help_text: Any = "") -> models.DecimalField:  # type: ignore[type-arg]
    """EUR, to the cent, zero by default."""
    return models.DecimalField(max_digits=14, decimal_places=2, default=0, help_text=help_text)


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
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, primary_key=True, related_name="+")
    refreshed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"order {self.order_id}"


class SalesFact(models.Model):
    key = models.CharField(
        max_length=64, unique=True, help_text=_('"sale:<line>", "return:<action>:<line>"...')
    )
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=FactKind.choices)
    at = models.DateTimeField()
    day = models.DateField(help_text=_("Local (Europe/Paris) date of ``at``."))
    hour = models.PositiveSmallIntegerField(help_text=_("Local hour, 0-23."))
    weekday = models.PositiveSmallIntegerField(help_text=_("0 Monday ... 6 Sunday."))
    channel = models.CharField(max_length=16, choices=ReportChannel.choices)
    location = models.ForeignKey(
        "inventory.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    coupon = models.CharField(max_length=120, blank=True, help_text=_("Coupon code(s) the order used."))
    units = models.IntegerField(default=0, help_text=_("Sold (+) or cancelled / returned (-)."))
    revenue_ht = amount()
    revenue_ttc = amount()
    discount_ttc = amount()
    cost_ht = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text=_("None: the variant has no cost.")
    )
    shipping_ttc = amount()
    refund_ttc = amount(_("Money given back by this document."))

    class Meta:
        indexes = [
            models.Index(fields=["day", "location", "channel"], name="rep_fact_day_loc"),
            models.Index(fields=["order"], name="rep_fact_order"),
        ]

    def __str__(self) -> str:
        return self.key


class PaymentFact(models.Model):
    key = models.CharField(max_length=64, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    day = models.DateField()
    channel = models.CharField(max_length=16, choices=ReportChannel.choices)
    location = models.ForeignKey(
        "inventory.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(
        max_length=16, help_text=_("stripe, paypal, test; cash, card, mobile, store_credit.")
    )
    amount = amount()

    class Meta:
        indexes = [models.Index(fields=["day", "location", "channel"], name="rep_pay_day_loc")]

    def __str__(self) -> str:
        return self.key


class PickupFact(models.Model):
    """One click & collect order collected: how long it waited in the store once ready (the overview's
    pick-up delay), on the local day it was collected."""

    key = models.CharField(max_length=64, unique=True, help_text=_('"pickup:<status change>"'))
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    location = models.ForeignKey(
        "inventory.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seconds = models.PositiveIntegerField(help_text=_("From ready for pick-up to collected."))

    class Meta:
        indexes = [models.Index(fields=["day", "location"], name="rep_pickup_day_loc")]

    def __str__(self) -> str:
        return self.key


class SalesDay(models.Model):
    """The facts of one local day, location and channel, summed (``reporting.facts.roll_up``)."""

    day = models.DateField()
    location = models.ForeignKey(
        "inventory.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=ReportChannel.choices)
    orders = models.IntegerField(default=0, help_text=_("Orders sold that day."))
    identified_orders = models.IntegerField(default=0, help_text=_("Of which with a known customer."))
    units_sold = models.IntegerField(default=0)
    units_cancelled = models.IntegerField(default=0)
    units_returned = models.IntegerField(default=0)
    sales_ht = amount(_("Goods sold, before cancellations and returns."))
    sales_ttc = amount()
    revenue_ht = amount(_("Net of that day's cancellations and returns."))
    revenue_ttc = amount()
    discount_ttc = amount()
    cost_ht = amount(_("Cost of the net units that have a cost."))
    costed_revenue_ht = amount(_("Net revenue of the units that have a cost (the margin's base)."))
    shipping_ttc = amount()
    refunds_ttc = amount()

    class Meta:
        constraints = [  # one row per key, "no location" included (NULLs would be distinct)
            models.UniqueConstraint("day", Coalesce("location", Value(0)), "channel", name="rep_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="rep_day_day")]
        permissions = [
            ("view_chain_dashboard", "Can see the KPI dashboard of every store and the web"),
            ("view_store_dashboard", "Can see the KPI dashboard of their own store"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} @ {self.location_id}"


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

    grain = models.CharField(max_length=1, choices=CubeGrain.choices, default=CubeGrain.MONTH)
    start = models.DateField(help_text=_("First day of the year or the month, or the week's Monday."))
    location_key = models.IntegerField(help_text=_("The location's id; 0 for none."))
    channel = models.CharField(max_length=16, choices=ReportChannel.choices)
    dimension = models.CharField(max_length=8, choices=CubeDimension.choices)
    ref = models.BigIntegerField(default=0, help_text=_("Category, product, variant, cashier id or slot."))
    code = models.CharField(max_length=120, blank=True, help_text=_("The coupon code(s)."))
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    units_sold = models.IntegerField(default=0)
    units_cancelled = models.IntegerField(default=0)
    units_returned = models.IntegerField(default=0)
    sales_ttc = amount()
    revenue_ht = amount()
    revenue_ttc = amount()
    discount_ttc = amount()
    cost_ht = amount()
    costed_revenue_ht = amount()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "location_key", "grain", "start", "channel", "ref", "code"],
                name="rep_cube_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grain}{self.start} {self.dimension} {self.ref or self.code} @ {self.location_key}"


class CustomerDay(models.Model):
    """One identified customer's facts of one day at one location, summed (``reporting.cube``)."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    location_key = models.IntegerField(help_text=_("The location's id; 0 for none."))
    orders = models.IntegerField(default=0, help_text=_("Orders sold."))
    revenue_ttc = amount(_("Net of cancellations and returns."))

    class Meta:
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

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    location_key = models.IntegerField(help_text=_("The location's id; -1 for anywhere."))
    first_day = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "location_key"], name="rep_cust_first_unique")
        ]
        indexes = [models.Index(fields=["location_key", "first_day"], name="rep_cust_first_day")]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.location_key}: {self.first_day}"


class WeeklySummarySent(models.Model):
    """One weekly summary e-mail per recipient and week (``reporting.weekly``): sent once."""

    week_start = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week_start", "user"], name="rep_weekly_once")]

    def __str__(self) -> str:
        return f"{self.week_start} -> {self.user_id}"
