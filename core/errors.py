"""The one error hierarchy of the platform.

Services raise these; the DRF exception handler (core.api) turns them into
``{"code", "message", "detail"}`` with ``http_status``; pages show ``message``.
"""

from typing import Any


class ApplicationError(Exception):
    code = "application_error"
    http_status = 400
    default_message = "The operation could not be done."

    def __init__(self, message: str | None = None, *, detail: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.detail = detail or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class ValidationFailed(ApplicationError):
    code = "invalid"
    http_status = 400
    default_message = "The request is not valid."


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404
    default_message = "Not found."


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    http_status = 403
    default_message = "You may not do this."


class Conflict(ApplicationError):
    code = "conflict"
    http_status = 409
    default_message = "The operation conflicts with the current state."
