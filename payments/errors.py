from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, Conflict, NotFound, ValidationFailed


class UnknownProvider(ValidationFailed):
    code = "unknown_provider"
    default_message = _("This payment method is not available.")


class UnknownPayment(NotFound):
    code = "unknown_payment"
    default_message = _("No payment has this id.")


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    default_message = _("This order is not awaiting payment.")


class InvalidReturnUrl(ValidationFailed):
    code = "invalid_return_url"
    default_message = _("A return or cancel URL must be a path on this site or an http(s) URL.")
    # The rule (core.urls_safety.is_safe_url): a path, or this site's host, or an allowlisted host.


class WrongProvider(Conflict):
    code = "wrong_provider"
    default_message = _("This payment was not made with this provider.")


class InvalidWebhook(ValidationFailed):
    """A webhook whose signature does not verify, or that cannot be read: nothing is written."""

    code = "invalid_webhook"
    default_message = _("The webhook signature could not be verified.")


class ProviderError(ApplicationError):
    """The provider refused or could not be reached."""

    code = "payment_provider_error"
    http_status = 502
    default_message = _("The payment provider could not be reached; please try again.")


class RefundExceedsCaptured(Conflict):
    """A refund for more than was captured minus what was already refunded: nothing is written."""

    code = "refund_exceeds_captured"
    default_message = _("This refund is more than what was captured minus what was already refunded.")


class InvalidRefundAmount(ValidationFailed):
    code = "invalid_refund_amount"
    default_message = _("A refund amount must be more than nothing, to the cent.")
