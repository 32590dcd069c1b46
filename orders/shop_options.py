"""Which delivery methods and payment methods a shop offers at checkout (issue 17).

One row per shop at most (``ShopCheckoutOptions``): the methods it offers, each list empty for "all of
them". It lives in orders, not in shops: shops sits below orders and payments and must not know their
choices; orders may point down to ``shops.Shop``. Read by ``orders.services.shop_options``
(checkout options, payment choices, and the refusal of a method the shop does not offer).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from payments.models import Provider

from .models import DeliveryMethod

# The delivery methods a shopper chooses on a shop (the till's "sold in store" is not one).
SHOP_DELIVERY_METHODS: tuple[str, ...] = (
    DeliveryMethod.HOME.value,
    DeliveryMethod.CLICK_AND_COLLECT.value,
    DeliveryMethod.RESERVE_IN_STORE.value,
)
TERMS = "terms"  # pay on the company's terms (orders.services.b2b_terms.TERMS)
PAYMENT_METHOD_CHOICES: list[tuple[str, object]] = [
    *Provider.choices,
    (TERMS, _("On account (a company's payment terms)")),
]
DELIVERY_METHOD_CHOICES: list[tuple[str, object]] = [
    (value, label) for value, label in DeliveryMethod.choices if value in SHOP_DELIVERY_METHODS
]


def _check_list(value: object, allowed: list[str], code: str) -> list[str]:
    if not isinstance(value, list) or any(not isinstance(v, str) or v not in allowed for v in value):
        raise ValidationError(_("Choose among %(codes)s."), code=code, params={"codes": ", ".join(allowed)})
    if len(set(value)) != len(value):
        raise ValidationError(_("Each method once."), code=code)
    return value


def validate_delivery_methods(value: object) -> None:
    methods = _check_list(value, list(SHOP_DELIVERY_METHODS), "bad_delivery_methods")
    if methods and not {DeliveryMethod.HOME, DeliveryMethod.CLICK_AND_COLLECT} & set(methods):
        raise ValidationError(
            _("Offer home delivery or click & collect, or the shop's checkout has no way to deliver."),
            code="bad_delivery_methods",
        )


def validate_payment_methods(value: object) -> None:
    _check_list(value, [code for code, _label in PAYMENT_METHOD_CHOICES], "bad_payment_methods")


class ShopCheckoutOptions(models.Model):
    shop = models.OneToOneField(
        "shops.Shop",
        on_delete=models.CASCADE,
        related_name="checkout_options",
        verbose_name=_("shop"),
    )
    delivery_methods = models.JSONField(
        _("delivery methods"),
        default=list,
        blank=True,
        validators=[validate_delivery_methods],
        help_text=_("Those this shop offers. None ticked: all of them."),
    )
    payment_methods = models.JSONField(
        _("payment methods"),
        default=list,
        blank=True,
        validators=[validate_payment_methods],
        help_text=_(
            "Those this shop offers, among the providers the platform has configured. None ticked: all."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("checkout options")
        verbose_name_plural = _("checkout options")

    def __str__(self) -> str:
        return str(self.shop_id)
