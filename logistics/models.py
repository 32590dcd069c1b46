"""Carriers, the zones they serve and their rates: what home delivery costs.

A rate is a weight band: the cheapest active rate of a carrier whose ``max_weight_grams`` fits the
parcel applies. Prices are TTC (VAT included), in EUR, already rounded to the cent; above
``free_above`` (the basket TTC after discounts) delivery is free.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Carrier(models.Model):
    code = models.SlugField(
        max_length=20, unique=True, help_text=_("colissimo, dpd, laposte ..."), verbose_name=_("code")
    )
    name = models.CharField(max_length=80, verbose_name=_("name"))
    delivery_days = models.CharField(
        max_length=20,
        blank=True,
        help_text=_('What the shopper is promised, e.g. "2-3".'),
        verbose_name=_("delivery days"),
    )
    tracking_url = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("With {number} where the tracking number goes."),
        verbose_name=_("tracking URL"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ShippingZone(models.Model):
    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))
    countries = models.JSONField(
        default=list,
        blank=True,
        help_text=_('ISO 3166 two-letter codes, e.g. ["FR", "MC"]; ["*"] serves every other country.'),
        verbose_name=_("countries"),
    )

    class Meta:
        verbose_name = _("shipping zone")
        verbose_name_plural = _("shipping zones")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ShippingRate(models.Model):
    zone = models.ForeignKey(
        ShippingZone, on_delete=models.CASCADE, related_name="rates", verbose_name=_("zone")
    )
    carrier = models.ForeignKey(
        Carrier, on_delete=models.PROTECT, related_name="rates", verbose_name=_("carrier")
    )
    max_weight_grams = models.PositiveIntegerField(
        help_text=_("The heaviest parcel this band takes."), verbose_name=_("maximum weight (g)")
    )
    price = models.DecimalField(
        max_digits=10, decimal_places=2, help_text=_("TTC, in EUR."), verbose_name=_("price")
    )
    free_above = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Free delivery when the basket (TTC, EUR, after discounts) reaches this amount."),
        verbose_name=_("free above"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("shipping rate")
        verbose_name_plural = _("shipping rates")
        ordering = ["zone", "carrier", "max_weight_grams"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "carrier", "max_weight_grams"], name="shipping_rate_unique_band"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="shipping_rate_price_gte_0"),
            models.CheckConstraint(condition=Q(max_weight_grams__gt=0), name="shipping_rate_weight_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.zone} · {self.carrier} · ≤{self.max_weight_grams} g: {self.price} EUR"


# Fulfilment and returns live in their own modules; importing them here registers them.
from .fulfilment_models import LabelStatus as LabelStatus  # noqa: E402
from .fulfilment_models import Parcel as Parcel  # noqa: E402
from .fulfilment_models import ParcelItem as ParcelItem  # noqa: E402
from .fulfilment_models import ParcelType as ParcelType  # noqa: E402
from .fulfilment_models import PickDiscrepancy as PickDiscrepancy  # noqa: E402
from .fulfilment_models import PickLine as PickLine  # noqa: E402
from .fulfilment_models import PickWave as PickWave  # noqa: E402
from .fulfilment_models import Shipment as Shipment  # noqa: E402
from .fulfilment_models import ShipmentLine as ShipmentLine  # noqa: E402
from .fulfilment_models import ShipmentStatus as ShipmentStatus  # noqa: E402
from .fulfilment_models import TrackingEvent as TrackingEvent  # noqa: E402
from .fulfilment_models import TrackingSource as TrackingSource  # noqa: E402
from .fulfilment_models import WaveStatus as WaveStatus  # noqa: E402
from .returns_models import ReturnMethod as ReturnMethod  # noqa: E402
from .returns_models import ReturnReason as ReturnReason  # noqa: E402
from .returns_models import ReturnRefundChoice as ReturnRefundChoice  # noqa: E402
from .returns_models import ReturnRequest as ReturnRequest  # noqa: E402
from .returns_models import ReturnRequestLine as ReturnRequestLine  # noqa: E402
from .returns_models import ReturnRequestStatus as ReturnRequestStatus  # noqa: E402
