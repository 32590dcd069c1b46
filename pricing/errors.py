from core.errors import Conflict, ValidationFailed


class InvalidCoupon(ValidationFailed):
    """``detail["reason"]`` says why: unknown, inactive, not_started, expired, wrong_location,
    wrong_channel, min_basket, used_up, customer_limit."""

    code = "invalid_coupon"
    default_message = "This coupon code cannot be used."


class CouponUsedUp(InvalidCoupon, Conflict):
    http_status = 409


class UnsupportedCurrency(ValidationFailed):
    code = "unsupported_currency"
    default_message = "This currency is not offered."
