"""Order history (the old system's orders): ``order_ref, date, customer_code, channel, store, sku,
quantity, unit_price_ttc, discount_ttc, payment_method``, one row per line, an order's lines one
after the other.

Each order becomes a completed order under its ERP number, written by
``orders.services.archive.import_archived_orders``: no stock movement, no payment, no event; the
customer's history, the recommendations and the reports see it like any order. An order is written
whole or not at all: a bad line rejects its order (the other lines say so). An order number already
known is left as it is (re-importing changes nothing). ``payment_method`` is checked for presence
only: archived orders carry no payment rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.utils import timezone

from accounts.models import CustomerProfile, User
from catalog.models import Variant
from inventory.models import Location, LocationKind
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from orders.services.archive import import_archived_orders

from ..base import ChunkResult, Context, Handler, Row, RowError, field_value
from ..values import BadValue, parse_date, parse_decimal, parse_int

CENT = Decimal("0.01")
HT_PLACES = Decimal("0.0001")
CHANNELS = {"web": Channel.WEB, "internet": Channel.WEB, "site": Channel.WEB, "e-commerce": Channel.WEB,
            "store": Channel.STORE, "magasin": Channel.STORE, "boutique": Channel.STORE,
            "pos": Channel.STORE}  # fmt: skip


def _positive_int(raw: str) -> int:
    value = parse_int(raw)
    if value <= 0:
        raise BadValue(f"{raw!r} is not a quantity above zero")
    return value


def _amount(raw: str) -> Decimal:
    value = parse_decimal(raw)
    if value < 0:
        raise BadValue(f"{raw!r} is negative")
    return value


@dataclass
class _Group:
    ref: str
    rows: list[Row] = field(default_factory=list)


class OrdersHandler(Handler):
    kind = "orders"
    required_columns: ClassVar[tuple[str, ...]] = ("order_ref", "sku", "quantity", "unit_price_ttc")

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.locations = {loc.code.lower(): loc for loc in Location.objects.all()}
        self.warehouse = next(
            (loc for loc in self.locations.values() if loc.kind == LocationKind.WAREHOUSE), None
        )
        self.seen: dict[str, int] = {}
        self.pending: _Group | None = None

    def apply(self, rows: list[Row]) -> ChunkResult:
        groups: list[_Group] = [self.pending] if self.pending else []
        for row in rows:
            ref = row.get("order_ref")
            if groups and groups[-1].ref == ref:
                groups[-1].rows.append(row)
            else:
                groups.append(_Group(ref, [row]))
        self.pending = groups.pop() if groups else None  # it may go on in the next chunk
        return self._write(groups)

    def finish(self) -> ChunkResult:
        groups = [self.pending] if self.pending else []
        self.pending = None
        return self._write(groups)

    def _write(self, groups: list[_Group]) -> ChunkResult:
        result = ChunkResult()
        if not groups:
            return result
        rows = [row for group in groups for row in group.rows]
        known = set(
            Order.objects.filter(number__in=[g.ref[:32] for g in groups]).values_list("number", flat=True)
        )
        variants = {
            v.sku: v
            for v in Variant.objects.select_related("product__vat_rate").filter(
                sku__in={r.get("sku") for r in rows}
            )
        }
        customers: dict[str, int] = {
            code: user_id
            for code, user_id in CustomerProfile.objects.filter(
                erp_code__in={r.get("customer_code") for r in rows if r.get("customer_code")}
            ).values_list("erp_code", "user_id")
            if code
        }
        users = {u.pk: u for u in User.objects.filter(pk__in=set(customers.values()))}
        orders: list[Order] = []
        lines: list[OrderLine] = []
        for group in groups:
            if not group.ref:
                for row in group.rows:
                    result.reject(row, RowError("order_ref", "order_ref is missing"))
                continue
            if group.ref in self.seen:
                for row in group.rows:
                    result.reject(row, RowError("order_ref", f"order {group.ref} already in line "
                                                f"{self.seen[group.ref]}: an order's lines follow each other",
                                                group.ref))  # fmt: skip
                continue
            self.seen[group.ref] = group.rows[0].line
            if group.ref[:32] in known:
                result.unchanged += len(group.rows)
                continue
            try:
                order, order_lines = self._build(group, variants, customers, users)
            except _GroupError as error:
                for row in group.rows:
                    result.reject(
                        row,
                        error.errors.get(row.line)
                        or RowError(
                            "order_ref", f"another line of order {group.ref} was rejected", group.ref
                        ),
                    )
                continue
            orders.append(order)
            lines.extend(order_lines)
            result.created += len(group.rows)
        if orders:
            import_archived_orders(orders=orders, lines=lines)
        return result

    def _build(
        self, group: _Group, variants: dict[str, Variant], customers: dict[str, int], users: dict[int, User]
    ) -> tuple[Order, list[OrderLine]]:
        errors: dict[int, RowError] = {}
        head = group.rows[0]
        order = Order(number=group.ref[:32], status=OrderStatus.COMPLETED, reference=f"erp:{group.ref}"[:120])
        try:
            if len(group.ref) > 32:
                raise RowError("order_ref", "order_ref longer than 32 characters", group.ref)
            day: dt.date = field_value(head, "date", parse_date, required=True)
            order.created_at = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
            channel = CHANNELS.get((head.get("channel") or "store").lower())
            if channel is None:
                raise RowError(
                    "channel", f"unknown channel {head.get('channel')!r} (web or store)", head.get("channel")
                )
            order.channel = channel
            code = head.get("store")
            location = self.locations.get(code.lower()) if code else None
            if code and location is None:
                raise RowError("store", f"unknown location {code}", code)
            if channel == Channel.STORE and location is None:
                raise RowError("store", "store is missing (a store order needs its store)")
            order.location = location or self.warehouse  # type: ignore[assignment]
            if order.location is None:
                raise RowError("store", "store is missing and there is no warehouse")
            order.delivery_method = (
                DeliveryMethod.IN_STORE if channel == Channel.STORE else DeliveryMethod.HOME
            )
            if customer_code := head.get("customer_code"):
                if customer_code not in customers:
                    raise RowError("customer_code", f"unknown customer {customer_code}", customer_code)
                user = users[customers[customer_code]]
                order.customer = user
                order.email = user.email
        except RowError as error:
            errors[head.line] = error
        lines: list[OrderLine] = []
        net_sum = vat_sum = discount_sum = Decimal(0)
        for row in group.rows:
            try:
                sku = row.get("sku")
                if not sku:
                    raise RowError("sku", "SKU is missing")
                variant = variants.get(sku)
                if variant is None:
                    raise RowError("sku", f"unknown SKU {sku}", sku)
                quantity = field_value(row, "quantity", _positive_int, required=True)
                unit = field_value(row, "unit_price_ttc", _amount, required=True)
                discount = field_value(row, "discount_ttc", _amount) or Decimal(0)
                gross = (unit * quantity - discount).quantize(CENT, ROUND_HALF_UP)
                if gross < 0:
                    raise RowError(
                        "discount_ttc", "the discount is more than the line", row.get("discount_ttc")
                    )
                rate = variant.product.vat_rate.rate
                net = (gross / (1 + rate)).quantize(CENT, ROUND_HALF_UP)
                lines.append(
                    OrderLine(
                        order=order, variant=variant, sku=sku, name=variant.product.name[:250],
                        quantity=quantity,
                        unit_price_net=(unit / (1 + rate)).quantize(HT_PLACES), vat_rate=rate,
                        discount_gross=discount, total_net=net, total_vat=gross - net, total_gross=gross,
                    )
                )  # fmt: skip
                net_sum, vat_sum, discount_sum = net_sum + net, vat_sum + gross - net, discount_sum + discount
            except RowError as error:
                errors.setdefault(row.line, error)
        if errors:
            raise _GroupError(errors)
        order.total_net, order.total_vat = net_sum, vat_sum
        order.total_gross = order.total_gross_eur = net_sum + vat_sum
        order.discount_gross = discount_sum
        return order, lines


class _GroupError(Exception):
    def __init__(self, errors: dict[int, RowError]) -> None:
        super().__init__("order rejected")
        self.errors = errors
