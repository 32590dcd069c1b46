"""Stock counts: ``sku, location, quantity`` is the quantity counted on hand.

Each row is a count in the inventory ledger (a ``count_adjustment`` movement of the difference),
written by ``inventory.services.count_many`` ``transaction_rows`` rows at a time: one short
transaction per hundred rows, so a till selling the same SKU waits that long (milliseconds), not
the file's time, and the rows of one SKU apply in file order. The count never goes below what is reserved
(refused, the row rejected). Lot-tracked variants need ``batch`` (and may give ``expiry_date``).
Nothing here writes a stock table: inventory does, under its own locks.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import transaction

from catalog.models import Variant
from core.errors import ApplicationError
from inventory.models import Location
from inventory.services import CountLine, LotInput, adjust_stock, count_many

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
    transaction_rows = 100

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
        counts: list[tuple[Row, CountLine]] = []
        for row in rows:
            try:
                line, lot = self._read(row, variants)
                if lot is None:
                    counts.append((row, line))
                    continue
                try:  # a batch of a lot-tracked variant: that lot's count, on its own
                    with transaction.atomic():
                        change = adjust_stock(
                            variant=line.variant,
                            location=line.location,
                            counted=line.counted,
                            reference=line.reference,
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
        for start in range(0, len(counts), self.transaction_rows):
            part = counts[start : start + self.transaction_rows]
            outcomes = count_many(lines=[line for _, line in part], user=self.user)
            for (row, _), outcome in zip(part, outcomes, strict=True):
                if isinstance(outcome, ApplicationError):
                    result.reject(row, RowError("quantity", str(outcome.message), row.get("quantity")))
                elif outcome.movements:
                    result.updated += 1
                else:
                    result.unchanged += 1
        result.rejects.sort(key=lambda reject: reject.line)
        return result

    def _read(self, row: Row, variants: dict[str, Variant]) -> tuple[CountLine, LotInput | None]:
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
        reference = f"{self.context.reference}:line:{row.line}"
        return CountLine(variant=variant, location=location, counted=counted, reference=reference), lot
