"""Refusals of the ERP exports (``core.errors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, NotFound, ValidationFailed


class UnknownExportKind(ValidationFailed):
    code = "unknown_export_kind"
    default_message = _("Unknown export: use products, stock, customers or orders.")


class UnknownProfile(ValidationFailed):
    code = "unknown_profile"
    default_message = _("No such ERP profile.")


class UnknownFormat(ValidationFailed):
    code = "unknown_format"
    default_message = _("Unknown file format: use csv or xml.")


class BatchNotFound(NotFound):
    code = "batch_not_found"
    default_message = _("No such order batch.")


class BatchNotSent(Conflict):
    code = "batch_not_sent"
    default_message = _("This order batch was not sent yet: it cannot be acknowledged.")


class BatchHashMismatch(Conflict):
    code = "batch_hash_mismatch"
    default_message = _("The acknowledged content hash is not this batch's: the ERP read another file.")
