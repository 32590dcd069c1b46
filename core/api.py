"""The one place that turns errors into API responses, and the error shape the OpenAPI schema documents.

Every error the API returns is ``{"code": str, "message": str, "detail": dict}``:

- ``ApplicationError`` (``core.errors`` and each app's ``errors.py``): its ``http_status`` and ``as_dict()``.
- DRF ``ValidationError`` (serializers): 400, ``code="invalid"``, ``detail`` = the field errors
  (``{"quantity": ["..."], "lot": {"batch": ["..."]}}``; errors not tied to a field under
  ``non_field_errors``). Django's ``ValidationError`` is treated the same.
- ``ParseError`` (bad JSON): 400 ``parse_error``; ``NotAuthenticated`` / ``AuthenticationFailed``: 401
  ``not_authenticated``; ``PermissionDenied`` (DRF or Django): 403 ``permission_denied``;
  ``NotFound`` / ``Http404``: 404 ``not_found``; 405 ``method_not_allowed``; 406 ``not_acceptable``;
  415 ``unsupported_media_type``; ``Throttled``: 429 ``throttled`` with ``Retry-After``.

Anything else is a bug: the handler returns ``None`` and Django answers 500 (and logs it).

``error_response`` does the conversion without touching transactions, so ``core.idempotency`` can
turn a refusal into a response it stores; ``exception_handler`` is what DRF calls
(``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, set_rollback

from core.errors import ApplicationError, Throttled
from core.parsers import SafeJSONParser
from core.text import CONTROL_CHARACTERS_MESSAGE, has_control_characters

INVALID_MESSAGE = "The request is not valid."

# DRF exception -> our stable code. Checked in order: subclasses first.
_API_EXCEPTION_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ParseError, "parse_error"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "not_authenticated"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every error response."""

    code = serializers.CharField(help_text="Stable, machine-readable: insufficient_stock, invalid, ...")
    message = serializers.CharField(help_text="A sentence a person can read.")
    detail = serializers.DictField(
        help_text="Structured context: field errors for `invalid`, figures for `insufficient_stock`, ..."
    )


_STATUS_DESCRIPTIONS = {
    400: "Invalid input (`invalid`, `parse_error`, or a domain code such as `invalid_quantity`).",
    401: "No or bad credentials (`not_authenticated`).",
    403: "Not allowed here (`permission_denied`).",
    404: "Unknown SKU, location or object (`unknown_sku`, `unknown_location`, `not_found`).",
    409: "Refused by the current state (`insufficient_stock`, `reservation_not_active`).",
    413: "The body is larger than the server accepts (`request_too_large`).",
    415: "The body must be JSON (`unsupported_media_type`).",
    422: "The Idempotency-Key was already used for another request (`idempotency_key_reused`).",
    429: "Too many requests (`throttled`); the `Retry-After` header says how many seconds to wait.",
}


def error_responses(*statuses: int, descriptions: dict[int, str] | None = None) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for ``extend_schema(responses={201: ..., **error_responses(400, 404)})``.

    ``descriptions`` override the default text: ``error_responses(404, descriptions={404: "..."})``.
    """
    texts = {**_STATUS_DESCRIPTIONS, **(descriptions or {})}
    return {
        status: OpenApiResponse(ErrorSerializer, description=texts.get(status, "")) for status in statuses
    }


def error_body(code: str, message: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "detail": detail or {}}


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return detail
    return {api_settings.NON_FIELD_ERRORS_KEY: detail if isinstance(detail, list) else [detail]}


def _first_message(errors: Any, path: str = "") -> str | None:
    """``quantity: Ensure this value is greater than or equal to 1.`` for the message line."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            label = key if key != api_settings.NON_FIELD_ERRORS_KEY else ""
            found = _first_message(value, f"{path}.{label}" if path and label else path or label)
            if found:
                return found
        return None
    if isinstance(errors, list):
        for item in errors:
            found = _first_message(item, path)
            if found:
                return found
        return None
    return f"{path}: {errors}" if path else str(errors)


def _validation_response(errors: dict[str, Any]) -> Response:
    first = _first_message(errors)
    message = f"{INVALID_MESSAGE} {first}" if first else INVALID_MESSAGE
    return Response(error_body("invalid", message, errors), status=400)


def error_response(exc: Exception, context: dict[str, Any] | None = None) -> Response | None:
    """The response for a known error, or None for anything else (a bug: let it be a 500)."""
    if isinstance(exc, Throttled):  # core.ratelimit's limits: the same 429 as DRF's throttles
        return Response(exc.as_dict(), status=exc.http_status, headers={"Retry-After": str(exc.wait)})
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(_field_errors(exc.detail))
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else _field_errors(exc.messages)
        return _validation_response(errors)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None

    code = next((code for cls, code in _API_EXCEPTION_CODES if isinstance(exc, cls)), None)
    if code is None:
        code = "server_error" if exc.status_code >= 500 else str(exc.default_code)
    detail: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    throttle_wait: float | None = None
    if isinstance(exc, exceptions.Throttled):
        throttle_wait = exc.wait  # type: ignore[attr-defined]  # set in DRF's __init__, not in the stubs
    if throttle_wait is not None:
        wait = math.ceil(throttle_wait)
        headers["Retry-After"] = str(wait)
        detail["wait"] = wait
    message = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
    return Response(error_body(code, str(message), detail), status=exc.status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: every API error becomes ``{"code", "message", "detail"}``."""
    response = error_response(exc, context)
    if response is not None:
        set_rollback()  # a no-op unless ATOMIC_REQUESTS is on, as DRF's own handler does
    return response


def parse(
    serializer_class: type[serializers.Serializer[Any]], data: Any, *, check_text: bool = True
) -> dict[str, Any]:
    """Validate ``data`` (a body or ``request.query_params``) with ``serializer_class``: its
    ``validated_data``, or a 400 ``invalid`` naming the fields. The one input parser of the API views.

    Free text is checked here for every endpoint at once: a string holding control characters or
    bidi overrides (``core.text``) is a 400 ``invalid`` naming its field (``check_text=False``: a
    batch whose items are parsed, and refused, one by one)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    validated: dict[str, Any] = serializer.validated_data
    errors = _control_character_errors(validated) if check_text else {}
    if errors:
        raise exceptions.ValidationError(errors)
    return validated


def _control_character_errors(data: dict[str, Any]) -> dict[str, Any]:
    """``{"lines": {"0": {"reference": [message]}}}`` for each string with control characters."""
    errors: dict[str, Any] = {}
    stack: list[tuple[Any, list[str]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if has_control_characters(value):
                node = errors
                for key in path[:-1]:
                    node = node.setdefault(key, {})
                node[path[-1] if path else api_settings.NON_FIELD_ERRORS_KEY] = [
                    str(CONTROL_CHARACTERS_MESSAGE)
                ]
        elif isinstance(value, dict):
            stack.extend((child, [*path, str(key)]) for key, child in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((child, [*path, str(i)]) for i, child in enumerate(value))
    return errors


class ServiceAPIView(APIView):
    """Base of the API views that write: JSON bodies only (anything else is a 415 in our error format).

    A view parses (``parse``), resolves and authorises, calls ONE service and renders; errors raised
    on the way become ``{"code", "message", "detail"}`` through ``exception_handler``.
    """

    parser_classes = [SafeJSONParser]
