"""Refusals of the invoicing services (``core.errors`` turns them into 4xx answers and messages)."""

from __future__ import annotations

from core.errors import Conflict, NotFound, ValidationFailed


class EmptyDocument(ValidationFailed):
    code = "empty_document"
    default_message = "A document needs at least one line."


class DocumentNotFound(NotFound):
    code = "document_not_found"
    default_message = "No such invoice or credit note."


class AlreadyIssued(Conflict):
    code = "already_issued"
    default_message = "This document was already issued; an issued document never changes."


class InvalidErpFile(ValidationFailed):
    code = "invalid_erp_file"
    default_message = "The ERP invoice file could not be read."


class InvalidRunDate(ValidationFailed):
    code = "invalid_run_date"
    default_message = "The daily run takes a past day or today."
