"""What the reports API shares: the period's query parameters and a table's JSON shape (the same
``reporting.tables.Table`` the pages render and export)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.schema import QueryParams

from ..periods import PERIODS, Period
from ..tables import Table


class PeriodQuery(QueryParams):
    period = serializers.ChoiceField(
        choices=PERIODS,
        required=False,
        help_text="Default `month` (this month so far); `custom` takes the dates.",
    )
    date_from = serializers.DateField(required=False, help_text="ISO date, included (with `date_to`).")
    date_to = serializers.DateField(required=False, help_text="ISO date, included; at most 5 years after.")


class ColumnSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the JSON key; Field.label is the schema's
    kind = serializers.ChoiceField(choices=["text", "int", "money", "percent", "decimal", "date"])


class TableSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(
        child=serializers.DictField(), help_text="One object per row, by column key."
    )
    total = serializers.DictField(allow_null=True, help_text="The total row, when the figures add up.")


class PeriodSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


def period_body(period: Period) -> dict[str, Any]:
    return {"name": period.name, "start": period.start, "end": period.end}


def table_body(table: Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
        "rows": table.rows,
        "total": table.total,
    }
