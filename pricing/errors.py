from __future__ import annotations

from typing import TYPE_CHECKING

from core.errors import Conflict, ValidationFailed

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class InvalidCoupon(ValidationFailed):
    """``detail["reason"]`` says why: unknown, inactive, not_started, expired, wrong_location,
    wrong_channel, min_basket, used_up, customer_limit."""

    code = "invalid_coupon"
    default_message: StrOrPromise = "This coupon code cannot be used."


class CouponUsedUp(InvalidCoupon, Conflict):
    http_status = 409


class UnsupportedCurrency(ValidationFailed):
    code = "unsupported_currency"
    default_message: StrOrPromise = "This currency is not offered."


class InvalidErpPrices(ValidationFailed):
    """Group prices from the ERP refused row by row (``detail``): unknown SKU or group, negative price..."""

    code = "invalid_prices"
    default_message: StrOrPromise = "Some prices are not valid."
