"""Aggregates the ORM lacks on every database the project runs on (PostgreSQL and the demo's SQLite)."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, CharField


class IdList(Aggregate):
    """The ids of a to-many relation in one column, ``"3,7,12"`` (``None`` without any, in no set
    order): ``string_agg`` on PostgreSQL, ``group_concat`` on SQLite. Saves the separate query of a
    ``prefetch_related`` when the related rows themselves come from a cache."""

    function = "STRING_AGG"
    template = "%(function)s((%(expressions)s)::text, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        template = "%(function)s(%(expressions)s)"
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", template=template, **extra_context)

    @staticmethod
    def parse(value: str | None) -> list[int]:
        return [int(part) for part in value.split(",")] if value else []
