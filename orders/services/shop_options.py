"""A shop's delivery and payment methods at checkout (``orders.ShopCheckoutOptions``): what the
checkout offers, and the refusal (``MethodNotOffered``, 400 ``method_not_offered``) of a method the
shop does not offer, before anything is written. No row, or an empty list: every method.

``shop_id`` is the cart's (or the order's) shop: None (a cart from before shops existed) offers
everything, as the default shop does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from shops.selectors import VERSION_KEY
from shops.services import shops_changed

from ..errors import MethodNotOffered
from ..shop_options import (
    PAYMENT_METHOD_CHOICES,
    SHOP_DELIVERY_METHODS,
    ShopCheckoutOptions,
    validate_delivery_methods,
    validate_payment_methods,
)

CACHE_SECONDS = 600


@dataclass(frozen=True)
class ShopMethods:
    """What a shop offers; an empty tuple means "every method"."""

    delivery_methods: tuple[str, ...] = ()
    payment_methods: tuple[str, ...] = ()

    def offers_delivery(self, method: str) -> bool:
        return not self.delivery_methods or method in self.delivery_methods

    def offers_payment(self, method: str) -> bool:
        return not self.payment_methods or method in self.payment_methods

    def deliveries(self, methods: Iterable[str] = SHOP_DELIVERY_METHODS) -> list[str]:
        """``methods`` (in their order) that the shop offers."""
        return [m for m in methods if self.offers_delivery(m)]

    def payments(self, methods: Iterable[str]) -> list[str]:
        """``methods`` (the configured providers, in display order) that the shop offers."""
        return [m for m in methods if self.offers_payment(m)]


EVERYTHING = ShopMethods()


def shop_methods(shop_id: int | None, *, cached: bool = False) -> ShopMethods:
    """The shop's choice (one query; none without a shop). ``cached``: for the pages that only show
    it (the reserve buttons), from the shared cache under the shops' version, which every change
    moves (``shops_changed``: ``set_shop_methods`` and the shop's admin page); the checkout's checks
    read the row."""
    if shop_id is None:
        return EVERYTHING
    if cached:
        return _cached_methods(shop_id)
    row = (
        ShopCheckoutOptions.objects.filter(shop_id=shop_id)
        .values_list("delivery_methods", "payment_methods")
        .first()
    )
    if row is None:
        return EVERYTHING
    return ShopMethods(delivery_methods=tuple(row[0] or ()), payment_methods=tuple(row[1] or ()))


def _cached_methods(shop_id: int) -> ShopMethods:
    try:
        key = f"orders:shop-methods:{shop_id}:{cache.get(VERSION_KEY) or 0}"
        found = cache.get(key)
    except Exception:  # the cache down: read the row
        return shop_methods(shop_id)
    if found is None:
        methods = shop_methods(shop_id)
        found = [list(methods.delivery_methods), list(methods.payment_methods)]
        with contextlib.suppress(Exception):
            cache.set(key, found, CACHE_SECONDS)
    return ShopMethods(delivery_methods=tuple(found[0]), payment_methods=tuple(found[1]))


def check_delivery_method(methods: ShopMethods, method: str) -> None:
    if not methods.offers_delivery(method):
        raise MethodNotOffered(
            _("This shop does not offer this delivery method."),
            detail={"field": "delivery_method", "method": method, "offered": methods.deliveries()},
        )


def check_payment_method(methods: ShopMethods, method: str, *, configured: Sequence[str]) -> None:
    """``method`` (a provider, or ``terms``) must be one the shop offers; ``configured``: the
    platform's providers, to name what the shop does offer."""
    if method and not methods.offers_payment(method):
        raise MethodNotOffered(
            _("This shop does not offer this payment method."),
            detail={"field": "provider", "method": method, "offered": methods.payments(configured)},
        )


@transaction.atomic
def set_shop_methods(
    *, shop_id: int, delivery_methods: Sequence[str], payment_methods: Sequence[str]
) -> ShopCheckoutOptions:
    """Choose a shop's delivery and payment methods (empty: all). ``ValidationFailed`` naming the
    field for an unknown or repeated method, or a delivery choice with no way to check out."""
    from django.core.exceptions import ValidationError

    delivery, payment = list(delivery_methods), list(payment_methods)
    for field, value, validate in (
        ("delivery_methods", delivery, validate_delivery_methods),
        ("payment_methods", payment, validate_payment_methods),
    ):
        try:
            validate(value)
        except ValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), detail={"field": field}) from None
    row, _created = ShopCheckoutOptions.objects.update_or_create(
        shop_id=shop_id, defaults={"delivery_methods": delivery, "payment_methods": payment}
    )
    shops_changed()  # the shop's cached pages (the reserve button) are dropped after commit
    return row


__all__ = [
    "EVERYTHING",
    "PAYMENT_METHOD_CHOICES",
    "ShopMethods",
    "check_delivery_method",
    "check_payment_method",
    "set_shop_methods",
    "shop_methods",
]
