"""The OpenAPI schema and its Swagger / Redoc pages, public or staff-only by ``API_DOCS_PUBLIC``.

Development shows them to everybody (the default there); production shows them to staff only
(``is_staff``), so the map of every endpoint is not handed to whoever asks. Refused: the pages send
an anonymous visitor to the admin login and answer 403 to a signed-in non-staff user; the schema
answers 401/403 in the API's JSON error format.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBase
from django.urls import reverse
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.csp import REDOC_CSP

_SCHEMAS: dict[tuple[Any, ...], Any] = {}
_SCHEMAS_LOCK = threading.Lock()


class ApiDocsAccess(BasePermission):
    """Everybody while ``API_DOCS_PUBLIC`` is on, staff only otherwise (read at each request)."""

    message = "The API documentation is for staff only."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if settings.API_DOCS_PUBLIC:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)


class ApiSchemaView(SpectacularAPIView):
    """The schema is generated once per process, version and language: it depends on the code only,
    and generating it costs 4-7 s of CPU (every serializer and view of the API), which the Swagger and
    Redoc pages used to wait for on each visit."""

    permission_classes = [ApiDocsAccess]

    def _get_schema_response(self, request: Request) -> Response:
        parameter = self._get_version_parameter(request)  # type: ignore[no-untyped-call]
        version = self.api_version or request.version or parameter
        key = (version, translation.get_language(), self.serve_public)
        with _SCHEMAS_LOCK:
            schema = _SCHEMAS.get(key)
            if schema is None:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                schema = generator.get_schema(request=request, public=self.serve_public)  # type: ignore[no-untyped-call]
                _SCHEMAS[key] = schema
        filename = self._get_filename(request, version)  # type: ignore[no-untyped-call]
        return Response(data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'})

    def handle_exception(self, exc: Exception) -> Any:
        # A refusal is an API error like any other: JSON, not the YAML the schema renders in.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)


class _StaffPage(APIView):
    """An anonymous visitor is sent to the admin login and back; anybody else refused gets a 403."""

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path(), reverse("admin:login"))
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, HttpResponseBase) and response.status_code == 302:
            return response  # the login redirect: a plain Django response, nothing to render
        return super().finalize_response(request, response, *args, **kwargs)


class ApiSwaggerView(_StaffPage, SpectacularSwaggerView):
    permission_classes = [ApiDocsAccess]


class ApiRedocView(_StaffPage, SpectacularRedocView):
    permission_classes = [ApiDocsAccess]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response._csp_replace = REDOC_CSP  # django-csp's per-response policy (what csp_replace sets)
        return response
