"""The one error hierarchy of the platform.

Services raise these; the DRF exception handler (core.api) turns them into
``{"code", "message", "detail"}`` with ``http_status``; pages show ``message``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # str, or a lazily translated string (gettext_lazy)


class ApplicationError(Exception):
    code = "application_error"
    http_status = 400
    default_message: StrOrPromise = "The operation could not be done."

    def __init__(self, message: StrOrPromise | None = None, *, detail: dict[str, Any] | None = None) -> None:
        self.message: StrOrPromise = message or self.default_message
        self.detail = detail or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class ValidationFailed(ApplicationError):
    code = "invalid"
    http_status = 400
    default_message: StrOrPromise = "The request is not valid."


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404
    default_message: StrOrPromise = "Not found."


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    http_status = 403
    default_message: StrOrPromise = "You may not do this."


class Conflict(ApplicationError):
    code = "conflict"
    http_status = 409
    default_message: StrOrPromise = "The operation conflicts with the current state."


class InvalidInput(ApplicationError):
    """Input no field could hold: NUL, a lone surrogate, JSON nested too deep, a number out of range,
    too many fields. Refused at the edge (``core.middleware``, ``core.api.SafeJSONParser``)."""

    code = "invalid_input"
    http_status = 400
    default_message: StrOrPromise = "The request holds characters or values that are not allowed."


class RequestTooLarge(ApplicationError):
    code = "request_too_large"
    http_status = 413
    default_message: StrOrPromise = "The request body is too large."


class LimitExceeded(ApplicationError):
    """A bound on a collection (lines per cart, lines per sale, sales per sync batch) was reached.

    ``detail`` says which: ``{"limit": "cart_lines", "max": 100}``."""

    code = "limit_exceeded"
    http_status = 400
    default_message: StrOrPromise = "Too many items."


class Throttled(ApplicationError):
    """Too many attempts (``core.ratelimit``): try again in ``detail["wait"]`` seconds (``Retry-After``)."""

    code = "throttled"
    http_status = 429
    default_message: StrOrPromise = "Too many attempts. Please wait a moment and try again."

    @property
    def wait(self) -> int:
        return int(self.detail.get("wait", 60))
