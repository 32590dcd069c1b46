"""GET /api/v1/reports/customers/: the customers page's figures (``reporting.selectors.customers``)."""

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
from ..selectors.customers import customers_report
from .tables import PeriodQuery, PeriodSerializer, TableSerializer, period_body, table_body


class CustomerSummarySerializer(serializers.Serializer[Any]):
    customers = serializers.IntegerField(help_text="Identified customers who bought in the period.")
    new = serializers.IntegerField(help_text="Of which with their first purchase ever in the period.")
    returning = serializers.IntegerField()
    repeat_rate = serializers.DecimalField(
        max_digits=6,
        decimal_places=4,
        allow_null=True,
        help_text="Share of customers with 2+ orders in the period.",
    )
    anonymous_orders = serializers.IntegerField()
    anonymous_revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    identified_share = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)


class LoyaltySerializer(serializers.Serializer[Any]):
    issued = serializers.IntegerField(help_text="Points earned or adjusted up in the period.")
    redeemed = serializers.IntegerField(help_text="Points spent for vouchers in the period.")
    reversed = serializers.IntegerField(help_text="Points taken back (returns, refunds), net of give-backs.")
    expired = serializers.IntegerField()
    outstanding = serializers.IntegerField(help_text="Points held by every customer today.")
    point_value_eur = serializers.DecimalField(max_digits=10, decimal_places=4)
    liability_eur = serializers.DecimalField(max_digits=14, decimal_places=2)


class CustomerTablesSerializer(serializers.Serializer[Any]):
    groups = TableSerializer()
    cohorts = TableSerializer()
    tiers = TableSerializer()
    points = TableSerializer(required=False, help_text="Managers only.")


class CustomersReportSerializer(serializers.Serializer[Any]):
    period = PeriodSerializer()
    location_id = serializers.IntegerField(allow_null=True)
    summary = CustomerSummarySerializer()
    loyalty = LoyaltySerializer(allow_null=True, help_text="Chain-wide: null for a store manager.")
    tables = CustomerTablesSerializer()


class CustomersReportView(APIView):
    @extend_schema(
        operation_id="reports_customers",
        tags=["reports"],
        summary="Customers and loyalty: new and returning, cohorts, tiers, points and liability",
        description="Managers see the chain; a store manager their store's sales (no points: they are "
        "chain-wide); anyone else 403. A bad period is a 400 naming the field.",
        parameters=[PeriodQuery],
        responses={200: CustomersReportSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        scope = scope_for(request.user)
        parse(PeriodQuery, request.query_params)
        period = parse_period(request.query_params)
        report = customers_report(scope=scope, period=period)
        loyalty = None
        if report.loyalty is not None:
            loyalty = {key: value for key, value in report.loyalty.items() if key != "ledger"}
        body = {
            "period": period_body(period),
            "location_id": scope.location_id,
            "summary": report.summary,
            "loyalty": loyalty,
            "tables": {key: table_body(table) for key, table in report.tables().items()},
        }
        return Response(CustomersReportSerializer(body).data)
