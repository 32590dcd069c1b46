"""GET /api/v1/reports/sales/: the period's sales grouped by time, store, channel, category, product,
variant, cashier, payment method, coupon, hour or weekday (``reporting.selectors.sales``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses, parse
from core.schema import QueryParams

from ..access import scope_for
from ..periods import PERIODS, parse_period
from ..selectors.sales import GROUP_BYS, sales_rows

MAX_ROWS = 1000


class SalesQuerySerializer(QueryParams):
    group_by = serializers.ChoiceField(choices=GROUP_BYS, help_text="How the rows are grouped.")
    period = serializers.ChoiceField(
        choices=PERIODS, required=False,
        help_text="A named period; `custom` (or no period with dates) reads `date_from` and `date_to`. "
        "Default: this month.",
    )  # fmt: skip
    date_from = serializers.DateField(required=False, help_text="First day (local), ISO date.")
    date_to = serializers.DateField(
        required=False, help_text="Last day (local, included), ISO date; at most 5 years after `date_from`."
    )
    shop = serializers.RegexField(
        r"^[-a-zA-Z0-9_]+$", max_length=32, required=False,
        help_text="A shop's code (`stores`: the stores' till sales): only its figures. Default: every "
        "shop the user sees. An unknown code is a 400 (`unknown_shop`), a shop the user does not see a "
        "403 (`shop_forbidden`).",
    )  # fmt: skip
    limit = serializers.IntegerField(
        min_value=1, max_value=MAX_ROWS, required=False, default=MAX_ROWS,
        help_text="At most this many rows (product and variant rows come highest revenue first).",
    )  # fmt: skip


class SalesRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(allow_null=True, help_text="The group's id, code, date or number.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    revenue_ht = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    revenue_ttc = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    orders = serializers.IntegerField()
    units = serializers.IntegerField(allow_null=True, help_text="Sold net of cancellations and returns.")
    units_returned = serializers.IntegerField(allow_null=True)
    units_cancelled = serializers.IntegerField(allow_null=True)
    average_basket = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text="Goods sold TTC per order."
    )
    margin_ht = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text="Revenue HT of costed units - their cost."
    )
    margin_rate = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    discount_ttc = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class SalesReportSerializer(serializers.Serializer[Any]):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    group_by = serializers.CharField()
    store = serializers.IntegerField(allow_null=True, help_text="The store the figures are limited to.")
    shop = serializers.CharField(
        allow_blank=True,
        help_text="The shop code the figures are limited to; empty: every shop the user sees.",
    )
    rows = SalesRowSerializer(many=True)


class SalesReportView(APIView):
    @extend_schema(
        operation_id="reports_sales",
        tags=["reports"],
        summary="Sales by day, week, month, store, channel, category, product, cashier, payment method...",
        description="Revenue (net of the period's cancellations and returns), orders, units, average "
        "basket (goods sold TTC per order) and margin HT (revenue of the units that have a cost minus "
        "their cost) per group. Managers see every location, store managers their store, anyone else "
        "is refused (403); staff limited to some shops see only those shops' figures. Payment methods "
        "carry the amounts taken (shipping included) in "
        "`revenue_ttc`; their other figures are null. A category row covers its subcategories.",
        parameters=[SalesQuerySerializer],
        responses={200: SalesReportSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        scope = scope_for(request.user)  # 403 before anything is parsed
        query = parse(SalesQuerySerializer, request.query_params)
        if query.get("shop"):
            scope = scope_for(request.user, query["shop"])
        period = parse_period(request.query_params)
        rows = sales_rows(period, scope, query["group_by"], limit=query["limit"])[: query["limit"]]
        for row in rows:
            row["key"] = None if row["key"] is None else str(row["key"])
        body = {
            "date_from": period.start,
            "date_to": period.end,
            "group_by": query["group_by"],
            "store": scope.location_id,
            "shop": scope.shop_code,
            "rows": rows,
        }
        return Response(SalesReportSerializer(body).data)
