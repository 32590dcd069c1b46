"""GET /api/v1/reports/stock/: the stock page's figures (``reporting.selectors.stock``) as JSON."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses, parse

from ..access import scope_for
from ..periods import parse_period
from ..selectors.stock import StockParams, stock_params, stock_report
from .tables import PeriodQuery, PeriodSerializer, TableSerializer, period_body, table_body


class StockQuery(PeriodQuery):
    window = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=365,
        help_text="Days of sales the daily rate is measured on (28).",
    )
    dead_days = serializers.IntegerField(
        required=False, min_value=1, max_value=730, help_text="No sale for this many days: dead stock (90)."
    )
    over_days = serializers.IntegerField(
        required=False, min_value=1, max_value=730, help_text="Cover above this: can give stock (90)."
    )
    under_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=365,
        help_text="Cover below this: needs stock (14); < over_days.",
    )


class StockParamsSerializer(serializers.Serializer[Any]):
    window = serializers.IntegerField()
    dead_days = serializers.IntegerField()
    over_days = serializers.IntegerField()
    under_days = serializers.IntegerField()


class StockTablesSerializer(serializers.Serializer[Any]):
    locations = TableSerializer(
        help_text="Per location: on hand, value at cost, units without cost, cover, rotation."
    )
    stockouts = TableSerializer(help_text="Levels empty now that were selling: estimated lost units.")
    transfers = TableSerializer(help_text="Suggested transfers from overstocked to short locations.")
    dead = TableSerializer(help_text="Stock without a sale for `dead_days` days (the 200 most valuable).")


class StockReportSerializer(serializers.Serializer[Any]):
    period = PeriodSerializer()
    location_id = serializers.IntegerField(
        allow_null=True, help_text="The store a store manager sees; null: the chain."
    )
    today = serializers.DateField()
    computed_at = serializers.DateTimeField(
        help_text="When these figures were computed (at most REPORTING_STOCK_CACHE_SECONDS ago)."
    )
    params = StockParamsSerializer()
    rotation_note = serializers.CharField()
    tables = StockTablesSerializer()


class StockReportView(APIView):
    @extend_schema(
        operation_id="reports_stock",
        tags=["reports"],
        summary="Stock report: value, cover, rotation, dead stock, stock-outs, transfers",
        description="Managers see every location; a store manager their store (transfers to or from it); "
        "anyone else 403. Stock is today's; the period counts the units sold for the rotation and the days "
        "at zero of the stock-outs. A bad period or knob is a 400 naming the field.",
        parameters=[StockQuery],
        responses={200: StockReportSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        scope = scope_for(request.user)
        parse(StockQuery, request.query_params)
        period = parse_period(request.query_params)
        params: StockParams = stock_params(request.query_params)
        report = stock_report(scope=scope, period=period, params=params)
        body = {
            "period": period_body(period),
            "location_id": scope.location_id,
            "today": report.today,
            "computed_at": report.computed_at,
            "params": vars(params),
            "rotation_note": report.rotation_note,
            "tables": {key: table_body(table) for key, table in report.tables().items()},
        }
        return Response(StockReportSerializer(body).data)
