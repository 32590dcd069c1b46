"""Stock counts: ``sku, location, quantity`` is the quantity counted on hand.

Each row is a count in the inventory ledger (``inventory.services.adjust_stock``, a
``count_adjustment`` movement of the difference), one short transaction per row so a till selling
the same SKU waits a row's time, not the file's. The count never goes below what is reserved
(refused, the row rejected). Lot-tracked variants need ``batch`` (and may give ``expiry_date``).
Nothing here writes a stock table: inventory does, under its own locks.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import transaction

from catalog.models import Variant
from core.errors import ApplicationError
from inventory.models import Location
from inventory.services import LotInput, adjust_stock

from ..base import ChunkResult, Context, Handler, Row, RowError, field_value
from ..values import BadValue, parse_date, parse_int


def _count(raw: str) -> int:
    value = parse_int(raw)
    if value < 0:
        raise BadValue(f"{raw!r} is negative")
    return value


class StockHandler(Handler):
    kind = "stock"
    required_columns: ClassVar[tuple[str, ...]] = ("sku", "location", "quantity")
    chunk_size = 500

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.locations = {loc.code.lower(): loc for loc in Location.objects.all()}
        self.user = None
        if context.user_id:
            from accounts.models import User

            self.user = User.objects.filter(pk=context.user_id).first()

    def apply(self, rows: list[Row]) -> ChunkResult:
        result = ChunkResult()
        skus = {row.get("sku") for row in rows}
        variants = {v.sku: v for v in Variant.objects.select_related("product").filter(sku__in=skus)}
        for row in rows:
            try:
                sku = row.get("sku")
                if not sku:
                    raise RowError("sku", "SKU is missing")
                variant = variants.get(sku)
                if variant is None:
                    raise RowError("sku", f"unknown SKU {sku}", sku)
                code = row.get("location")
                if not code:
                    raise RowError("location", "location is missing")
                location = self.locations.get(code.lower())
                if location is None:
                    raise RowError("location", f"unknown location {code}", code)
                counted = field_value(row, "quantity", _count, required=True)
                lot = None
                if batch := row.get("batch"):
                    lot = LotInput(batch=batch[:64], expiry_date=field_value(row, "expiry_date", parse_date))
                try:
                    with transaction.atomic():
                        change = adjust_stock(
                            variant=variant,
                            location=location,
                            counted=counted,
                            reference=f"{self.context.reference}:line:{row.line}",
                            user=self.user,
                            lot=lot,
                        )
                except ApplicationError as exc:
                    raise RowError("quantity", str(exc.message), row.get("quantity")) from exc
            except RowError as error:
                result.reject(row, error)
                continue
            if change.movements:
                result.updated += 1
            else:
                result.unchanged += 1
        return result
