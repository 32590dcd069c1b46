"""Shops: the storefronts (brands) of one install, chosen by the request's host name.

One stock truth underneath: every shop sells from the same locations and the same catalog. A shop
has its own name, logo, design tokens, languages, currencies, legal mentions and e-mail sender, and
an assortment (``categories`` and ``excluded_products``; none = everything). Orders, carts and
reviews point to the shop they were made on (``orders.Order.shop``, ``orders.Cart.shop``,
``catalog.Review.shop``: nullable, null = the stores or before shops existed).

The shops layer sits just above core: every app may read ``shops.selectors``. The catalog tables it
points to are named by lazy string references (``"catalog.Category"``), so no module is imported up.
"""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.money import SUPPORTED_CURRENCIES

from .tokens import validate_tokens

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
CURRENCY_CODES = [code for code, _name in SUPPORTED_CURRENCIES]


class ShopMode(models.TextChoices):
    B2C = "b2c", _("Consumers (B2C, prices incl. VAT)")
    B2B = "b2b", _("Businesses (B2B, prices excl. VAT)")


def validate_languages(value: object) -> None:
    if not isinstance(value, list) or not value or any(code not in LANGUAGE_CODES for code in value):
        raise ValidationError(
            _("Choose at least one language among %(codes)s."),
            code="bad_languages",
            params={"codes": ", ".join(LANGUAGE_CODES)},
        )


def validate_currencies(value: object) -> None:
    if not isinstance(value, list) or not value or any(code not in CURRENCY_CODES for code in value):
        raise ValidationError(
            _("Choose at least one currency among %(codes)s."),
            code="bad_currencies",
            params={"codes": ", ".join(CURRENCY_CODES)},
        )


def validate_sender(value: str) -> None:
    """``Name <address>`` or a bare address."""
    _name, address = parseaddr(value)
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            _("Enter an e-mail sender such as “Maison Corsica <boutique@example.com>”."), code="bad_sender"
        ) from None


def _all_languages() -> list[str]:
    return list(LANGUAGE_CODES)


def _all_currencies() -> list[str]:
    return list(CURRENCY_CODES)


class Shop(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    mode = models.CharField(_("mode"), max_length=3, choices=ShopMode.choices, default=ShopMode.B2C)
    is_default = models.BooleanField(
        _("default shop"), default=False, help_text=_("Serves every host name no shop claims. Exactly one.")
    )
    logo = models.ImageField(_("logo"), upload_to="shops/", blank=True)
    tokens = models.JSONField(
        _("design tokens"),
        default=dict,
        blank=True,
        validators=[validate_tokens],
        help_text=_(
            'Overrides of the look, e.g. {"brand": "#0b5d3b", "radius": "4px"}. Names: brand, brand-dark, '
            "brand-soft, accent, bg, surface, text, muted, link, radius, font."
        ),
    )
    languages = models.JSONField(_("languages"), default=_all_languages, validators=[validate_languages])
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    currencies = models.JSONField(_("currencies"), default=_all_currencies, validators=[validate_currencies])
    headline = models.CharField(
        _("home page headline"), max_length=120, blank=True, help_text=_("Empty: the platform's.")
    )
    intro = models.TextField(
        _("home page introduction"), max_length=400, blank=True, help_text=_("Empty: the platform's.")
    )
    legal_mentions = models.TextField(
        _("legal mentions"), blank=True, help_text=_("Shown at the foot of every page of this shop.")
    )
    email_from = models.CharField(
        _("e-mail sender"),
        max_length=200,
        blank=True,
        validators=[validate_sender],
        help_text=_("The From of this shop's e-mails; empty: the platform's (DEFAULT_FROM_EMAIL)."),
    )
    categories = models.ManyToManyField(
        "catalog.Category",
        blank=True,
        related_name="+",
        verbose_name=_("categories sold"),
        help_text=_("With their subcategories. None: the whole catalog."),
    )
    excluded_products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="+", verbose_name=_("products not sold")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="shop_one_default"
            ),
            models.CheckConstraint(condition=Q(mode__in=["b2c", "b2b"]), name="shop_mode_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if isinstance(self.languages, list) and self.default_language not in self.languages:
            raise ValidationError(
                {"default_language": _("The default language must be one of the shop's languages.")}
            )


class ShopDomain(models.Model):
    host = models.CharField(
        _("host name"),
        max_length=253,
        unique=True,
        help_text=_("Without the scheme or port: pro.example.com."),
    )
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="domains", verbose_name=_("shop"))
    is_primary = models.BooleanField(
        _("primary"),
        default=False,
        help_text=_("The host of the shop's canonical URLs, sitemap and robots.txt."),
    )

    class Meta:
        verbose_name = _("shop domain")
        verbose_name_plural = _("shop domains")
        ordering = ["shop", "-is_primary", "host"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop"], condition=Q(is_primary=True), name="shopdomain_one_primary_per_shop"
            ),
            models.CheckConstraint(condition=Q(host=Lower("host")), name="shopdomain_host_lowercase"),
        ]

    def __str__(self) -> str:
        return self.host

    def clean(self) -> None:
        self.host = normalise_host(self.host)
        if not self.host or any(c in self.host for c in "/:@ ?#"):
            raise ValidationError({"host": _("Enter a host name such as pro.example.com.")})


class StaffShopAccess(models.Model):
    """A member of staff limited to some shops (their orders and carts in the admin, their reports).
    A member of staff with no row sees every shop."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shop_accesses",
        verbose_name=_("user"),
    )
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="staff_accesses", verbose_name=_("shop")
    )

    class Meta:
        verbose_name = _("staff access to a shop")
        verbose_name_plural = _("staff access to shops")
        constraints = [models.UniqueConstraint(fields=["user", "shop"], name="staffshopaccess_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.shop}"


def normalise_host(host: str) -> str:
    return (host or "").strip().lower().rstrip(".")
