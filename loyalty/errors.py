"""Refusals of loyalty services (``core.errors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, Conflict, NotFound, ValidationFailed


class InsufficientPoints(Conflict):
    code = "insufficient_points"
    default_message = _("Not enough points.")


class InvalidPoints(ValidationFailed):
    code = "invalid_points"
    default_message = _("Points must be a whole number other than zero.")


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = _("Give a reason for the adjustment.")


class CustomerNotFound(NotFound):
    code = "customer_not_found"
    default_message = _("No such customer.")


class KeyReused(Conflict):
    code = "key_reused"
    default_message = _("This key was already used for another operation.")


class LoyaltyError(ApplicationError):
    code = "loyalty_error"
