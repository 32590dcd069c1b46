"""The OpenAPI schema and its Swagger / Redoc pages, public or staff-only by ``API_DOCS_PUBLIC``.

Development shows them to everybody (the default there); production shows them to staff only
(``is_staff``), so the map of every endpoint is not handed to whoever asks. Refused: the pages send
an anonymous visitor to the admin login and answer 403 to a signed-in non-staff user; the schema
answers 401/403 in the API's JSON error format.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBase
from django.urls import reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from core.csp import REDOC_CSP


class ApiDocsAccess(BasePermission):
    """Everybody while ``API_DOCS_PUBLIC`` is on, staff only otherwise (read at each request)."""

    message = "The API documentation is for staff only."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if settings.API_DOCS_PUBLIC:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)


class ApiSchemaView(SpectacularAPIView):
    permission_classes = [ApiDocsAccess]

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
