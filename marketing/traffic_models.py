"""The storefront's traffic counts per day (``marketing.traffic`` writes them, reporting reads them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Device(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    TABLET = "tablet", _("Tablet")
    DESKTOP = "desktop", _("Desktop")


class Step(models.TextChoices):
    VISIT = "visit", _("Visit")
    PRODUCT = "product", _("Product view")
    CART = "cart", _("Add to cart")
    CHECKOUT = "checkout", _("Checkout")
    PAID = "paid", _("Paid order")


class TrafficDay(models.Model):
    """Counts of one local day, device class, language and step (see the module docstring)."""

    day = models.DateField(verbose_name=_("day"))
    device = models.CharField(max_length=8, choices=Device.choices, verbose_name=_("device"))
    language = models.CharField(max_length=8, verbose_name=_("language"))
    step = models.CharField(max_length=8, choices=Step.choices, verbose_name=_("step"))
    events = models.IntegerField(
        default=0, help_text=_("Page views, product views, adds to cart..."), verbose_name=_("events")
    )
    sessions = models.IntegerField(
        default=0, help_text=_("Visits that reached the step."), verbose_name=_("sessions")
    )
    visitors = models.IntegerField(
        default=0, help_text=_("Distinct visitors of the day (visit step only)."), verbose_name=_("visitors")
    )

    class Meta:
        verbose_name = _("traffic day")
        verbose_name_plural = _("traffic days")
        constraints = [
            models.UniqueConstraint(fields=["day", "device", "language", "step"], name="mkt_traffic_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.device} {self.language} {self.step}"


class ProductViewDay(models.Model):
    """A product's page views of one local day, and how many of them while it was sold out."""

    day = models.DateField(verbose_name=_("day"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    views = models.IntegerField(default=0, verbose_name=_("views"))
    sold_out_views = models.IntegerField(
        default=0, help_text=_("Views while no variant was in stock."), verbose_name=_("sold out views")
    )

    class Meta:
        verbose_name = _("product view day")
        verbose_name_plural = _("product view days")
        constraints = [models.UniqueConstraint(fields=["day", "product"], name="mkt_product_view_key")]

    def __str__(self) -> str:
        return f"{self.day} product {self.product_id}"
