"""Who may call /api/v1/erp/: holders of ``integrations.use_erp_api`` (the integration role)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

ERP_PERMISSION = "integrations.use_erp_api"


class IsIntegration(BasePermission):
    message = "Only an integration token may use the ERP webservices."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(ERP_PERMISSION))
