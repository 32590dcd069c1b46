"""GET /api/v1/reports/conversion/: the conversion page's figures (managers only, as the page)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses

from ..access import scope_for
from ..periods import PERIODS, parse_period
from ..selectors import conversion as selectors

PERIOD_PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=list(PERIODS), description="Default: month."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="With period=custom (included)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="With period=custom (included)."),
]


class ConversionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_conversion",
        tags=["reports"],
        summary="Storefront sessions, visitors and the funnel, per day, device and language",
        parameters=PERIOD_PARAMETERS,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="total, days, devices, languages"),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request: Request) -> Response:
        scope = scope_for(request.user)
        period = parse_period(request.query_params)
        data: dict[str, Any] = selectors.as_json(selectors.conversion(period, scope))
        return Response(data)
