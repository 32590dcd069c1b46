"""Refusals of the marketing services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, ValidationFailed


class InvalidLink(ValidationFailed):
    code = "invalid_link"
    default_message = _("This link is not valid or has expired.")


class AddressSuppressed(ApplicationError):
    code = "address_suppressed"
    http_status = 409
    default_message = _("We cannot send e-mails to this address.")


class InvalidAddress(ValidationFailed):
    code = "invalid_address"
    default_message = _("Enter a valid e-mail address.")
