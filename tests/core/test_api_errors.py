"""core.api.exception_handler: every error is {"code", "message", "detail"} with the right status."""

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions

from core.api import exception_handler
from core.errors import Conflict, NotFound
from inventory.errors import InsufficientStock


def handle(exc):
    response = exception_handler(exc, {})
    return response.status_code, response.data


def test_application_error_uses_its_status_and_dict():
    exc = InsufficientStock("Only 2 left.", detail={"available": 2})

    assert handle(exc) == (
        409,
        {"code": "insufficient_stock", "message": "Only 2 left.", "detail": {"available": 2}},
    )


def test_application_error_default_message():
    assert handle(NotFound()) == (404, {"code": "not_found", "message": "Not found.", "detail": {}})
    assert handle(Conflict())[0] == 409


def test_drf_validation_error_with_field_errors():
    exc = exceptions.ValidationError({"quantity": ["Too small."], "lot": {"batch": ["Required."]}})

    assert handle(exc) == (
        400,
        {
            "code": "invalid",
            "message": "The request is not valid. quantity: Too small.",
            "detail": {"quantity": ["Too small."], "lot": {"batch": ["Required."]}},
        },
    )


def test_nested_field_message_names_the_path():
    status, body = handle(exceptions.ValidationError({"lot": {"batch": ["Required."]}}))

    assert body["message"] == "The request is not valid. lot.batch: Required."


def test_drf_validation_error_without_a_field():
    assert handle(exceptions.ValidationError("Bad.")) == (
        400,
        {
            "code": "invalid",
            "message": "The request is not valid. Bad.",
            "detail": {"non_field_errors": ["Bad."]},
        },
    )


def test_django_validation_errors():
    assert handle(DjangoValidationError({"sku": ["Taken."]}))[1]["detail"] == {"sku": ["Taken."]}
    assert handle(DjangoValidationError("Nope."))[1]["detail"] == {"non_field_errors": ["Nope."]}


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.ParseError(), 400, "parse_error"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.AuthenticationFailed(), 401, "not_authenticated"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (DjangoPermissionDenied(), 403, "permission_denied"),
        (exceptions.NotFound(), 404, "not_found"),
        (Http404(), 404, "not_found"),
        (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
        (exceptions.NotAcceptable(), 406, "not_acceptable"),
        (exceptions.UnsupportedMediaType("text/plain"), 415, "unsupported_media_type"),
        (exceptions.APIException(), 500, "server_error"),
    ],
)
def test_drf_and_django_exceptions(exc, status, code):
    got_status, body = handle(exc)

    assert (got_status, body["code"], body["detail"]) == (status, code, {})
    assert isinstance(body["message"], str) and body["message"]


def test_not_authenticated_keeps_the_www_authenticate_header():
    exc = exceptions.NotAuthenticated()
    exc.auth_header = "Token"

    response = exception_handler(exc, {})

    assert response["WWW-Authenticate"] == "Token"


def test_throttled_says_when_to_retry():
    response = exception_handler(exceptions.Throttled(wait=41.2), {})

    assert (response.status_code, response.data["code"], response.data["detail"]) == (
        429,
        "throttled",
        {"wait": 42},
    )
    assert response["Retry-After"] == "42"


def test_unknown_exceptions_are_left_to_django():
    assert exception_handler(RuntimeError("bug"), {}) is None
