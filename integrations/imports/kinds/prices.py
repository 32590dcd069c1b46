"""B2B prices: ``sku, customer_group, price_ht, discount_percent, valid_from, valid_to``.

One price list per customer group and validity window (code ``erp-<group>-<from>-<to>``, priority
100, so it wins over the hand-made lists), one entry per variant at ``price_ht`` less the discount
(HT, 4 decimals). The catalog price stays the reference: the shop shows the group's customer the
catalog price struck through and the discount (``pricing.selectors.DisplayPrice.discount_percent``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.db import transaction
from django.utils import timezone

from accounts.models import CustomerGroup
from catalog.models import Variant
from core import events
from pricing.events import PricesChanged
from pricing.models import PriceList, PriceListEntry

from ..base import ChunkResult, Context, Handler, Row, RowError, field_value
from ..values import BadValue, parse_date, parse_decimal

HT_PLACES = Decimal("0.0001")
PRIORITY = 100


def _price(raw: str) -> Decimal:
    value = parse_decimal(raw)
    if value < 0:
        raise BadValue(f"{raw!r} is negative")
    return value


def _percent(raw: str) -> Decimal:
    value = parse_decimal(raw)
    if not 0 <= value < 100:
        raise BadValue(f"{raw!r} is not a discount between 0 and 100 %")
    return value


def _aware(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class PricesHandler(Handler):
    kind = "prices"
    required_columns: ClassVar[tuple[str, ...]] = ("sku", "customer_group", "price_ht")

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.groups = {g.code.lower(): g for g in CustomerGroup.objects.all()}
        self.lists: dict[str, PriceList] = {}
        self.seen: dict[tuple[str, str], int] = {}
        self.changed = False

    def _list_for(self, group: CustomerGroup, start: dt.date | None, end: dt.date | None) -> PriceList:
        code = f"erp-{group.code}-{start:%Y%m%d}" if start else f"erp-{group.code}-open"
        code = (code + (f"-{end:%Y%m%d}" if end else ""))[:40]
        if code not in self.lists:
            self.lists[code], _ = PriceList.objects.get_or_create(
                code=code,
                defaults={
                    "name": f"ERP {group.name}"[:120],
                    "customer_group": group,
                    "priority": PRIORITY,
                    "starts_at": _aware(start),
                    "ends_at": _aware(end + dt.timedelta(days=1)) if end else None,
                },
            )
        return self.lists[code]

    def apply(self, rows: list[Row]) -> ChunkResult:
        result = ChunkResult()
        variants = {v.sku: v.pk for v in Variant.objects.filter(sku__in={r.get("sku") for r in rows})}
        wanted: list[tuple[Row, int, int, Decimal]] = []  # row, list id, variant id, price
        with transaction.atomic():
            for row in rows:
                try:
                    sku = row.get("sku")
                    if not sku:
                        raise RowError("sku", "SKU is missing")
                    if sku not in variants:
                        raise RowError("sku", f"unknown SKU {sku}", sku)
                    group_code = row.get("customer_group")
                    group = self.groups.get(group_code.lower())
                    if group is None:
                        raise RowError("customer_group", f"unknown customer group {group_code}", group_code)
                    price = field_value(row, "price_ht", _price, required=True)
                    discount = field_value(row, "discount_percent", _percent) or Decimal(0)
                    start = field_value(row, "valid_from", parse_date)
                    end = field_value(row, "valid_to", parse_date)
                    if start and end and end < start:
                        raise RowError("valid_to", "valid_to is before valid_from", row.get("valid_to"))
                    key = (sku, f"{group.code}|{start}|{end}")
                    if key in self.seen:
                        raise RowError("sku", f"price already given in line {self.seen[key]}", sku)
                    self.seen[key] = row.line
                    net = (price * (1 - discount / 100)).quantize(HT_PLACES)
                    wanted.append((row, self._list_for(group, start, end).pk, variants[sku], net))
                except RowError as error:
                    result.reject(row, error)
            existing = {
                (e.price_list_id, e.variant_id): e
                for e in PriceListEntry.objects.filter(
                    price_list_id__in={w[1] for w in wanted},
                    variant_id__in={w[2] for w in wanted},
                    min_quantity=1,  # the ERP sends unit prices; quantity breaks are set by staff
                )
            }
            new: list[PriceListEntry] = []
            changed: list[PriceListEntry] = []
            for _row, list_id, variant_id, net in wanted:
                entry = existing.get((list_id, variant_id))
                if entry is None:
                    new.append(PriceListEntry(price_list_id=list_id, variant_id=variant_id, price_ht=net))
                elif entry.price_ht != net:
                    entry.price_ht = net
                    changed.append(entry)
                else:
                    result.unchanged += 1
            PriceListEntry.objects.bulk_create(new, batch_size=1000)
            stamp = timezone.now()  # bulk_update skips auto_now: the tills' catalog delta reads it
            for entry in changed:
                entry.updated_at = stamp
            PriceListEntry.objects.bulk_update(changed, ["price_ht", "updated_at"], batch_size=1000)
            result.created += len(new)
            result.updated += len(changed)
            if new or changed:
                self.changed = True
        return result

    def finish(self) -> ChunkResult:
        if self.changed:
            events.publish(PricesChanged())
        return ChunkResult()
