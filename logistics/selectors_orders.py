"""Reads of the staff order screen (``/backoffice/orders/``): the filtered list, its export and the
whole story of one order (lines, payments, shipments, returns, trail, messages, staff actions).

Who sees which order is ``orders.selectors.orders_visible_to`` and nothing else: every read here
starts from it, so an order out of reach is not found (404), never forbidden. Each read runs a fixed
number of queries whatever the number of orders, lines, parcels or events (the tests pin them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import money_round
from orders.errors import OrderNotFound
from orders.models import NotificationLog, Order, OrderAction, OrderLine, OrderStatusChange
from orders.selectors import orders_visible_to
from payments.models import Payment
from payments.selectors_orders import payments_of_order

from .fulfilment_models import Parcel, Shipment, ShipmentLine, ShipmentStatus, TrackingEvent
from .returns_models import ReturnRequest, ReturnRequestLine

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

PAGE_SIZE = 50

# A shipment whose units have left the building: they count as shipped on the order's lines.
LEFT_STATUSES = (
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.EXCEPTION,
)

# The list's sort keys (``?sort=`` and ``?sort=-...``) and the columns they order by.
SORTS: dict[str, tuple[str, ...]] = {
    "date": ("created_at", "id"),
    "number": ("number",),
    "status": ("status", "created_at", "id"),
    "store": ("location__name", "created_at", "id"),
    "customer": ("email", "created_at", "id"),
    "total": ("total_gross", "id"),
}
DEFAULT_SORT = "-date"


@dataclass(frozen=True)
class OrderFilters:
    q: str = ""
    status: str = ""
    channel: str = ""
    delivery_method: str = ""
    location_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = DEFAULT_SORT

    @property
    def active(self) -> bool:
        return bool(
            self.q
            or self.status
            or self.channel
            or self.delivery_method
            or self.location_id
            or self.date_from
            or self.date_to
        )


def order_by_for(sort: str, *, prefix: str = "") -> list[str]:
    """The ORDER BY of a sort key (unknown keys fall back to newest first)."""
    descending = sort.startswith("-")
    columns = SORTS.get(sort.lstrip("-")) or SORTS["date"]
    if sort.lstrip("-") not in SORTS:
        descending = True
    return [f"{'-' if descending else ''}{prefix}{column}" for column in columns]


def _search(queryset: QuerySet[Order], q: str) -> QuerySet[Order]:
    """Every word must match: the order number, the e-mail, the phone, the customer's or the
    delivery address's first or last name, or (exactly, any case) a line's SKU."""
    for word in q.split()[:6]:
        sku = OrderLine.objects.filter(order=OuterRef("pk"), sku__iexact=word)
        queryset = queryset.filter(
            Q(number__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
            | Q(customer__first_name__icontains=word)
            | Q(customer__last_name__icontains=word)
            | Q(shipping_address__first_name__icontains=word)
            | Q(shipping_address__last_name__icontains=word)
            | Exists(sku)
        )
    return queryset


def filtered_orders(*, user: User | AnonymousUser, filters: OrderFilters) -> QuerySet[Order]:
    """The orders of the list page and of its export: ``orders_visible_to(user)`` filtered, searched
    and sorted, with ``item_count`` (units ordered); one query per page (plus the COUNT)."""
    queryset = orders_visible_to(user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.delivery_method:
        queryset = queryset.filter(delivery_method=filters.delivery_method)
    if filters.location_id:
        queryset = queryset.filter(location_id=filters.location_id)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz)
        queryset = queryset.filter(created_at__gte=start)
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        queryset = queryset.filter(created_at__lt=end)
    if filters.q:
        queryset = _search(queryset, filters.q)
    units = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(units=Sum("quantity"))
        .values("units")
    )
    return (
        queryset.select_related("location", "customer")
        .annotate(item_count=Coalesce(Subquery(units, output_field=IntegerField()), Value(0)))
        .order_by(*order_by_for(filters.sort))
    )


def _shipped_units() -> Subquery:
    return Subquery(
        ShipmentLine.objects.filter(order_line=OuterRef("pk"), shipment__status__in=LEFT_STATUSES)
        .order_by()
        .values("order_line")
        .annotate(units=Sum("quantity"))
        .values("units"),
        output_field=IntegerField(),
    )


def export_lines(*, user: User | AnonymousUser, filters: OrderFilters) -> Iterator[OrderLine]:
    """One row per order line of the filtered orders, in the list's order, each with its order (and
    store, customer), ``quantity_shipped`` and ``options`` (the variant's option values, joined):
    two queries, streamed in chunks."""
    orders = filtered_orders(user=user, filters=filters).values("pk")
    lines = (
        OrderLine.objects.filter(order__in=orders)
        .select_related("order__location", "order__customer")
        .prefetch_related("variant__option_values__option_type")
        .annotate(quantity_shipped=Coalesce(_shipped_units(), Value(0)))
        .order_by(*order_by_for(filters.sort, prefix="order__"), "id")
    )
    yield from lines.iterator(chunk_size=500)


def option_label(line: OrderLine) -> str:
    """``Size: M · Colour: Navy`` from the (prefetched) option values of the line's variant."""
    values = sorted(line.variant.option_values.all(), key=lambda v: (v.option_type_id, v.position))
    return " · ".join(f"{v.option_type.name}: {v.name}" for v in values)


# --- one order --------------------------------------------------------------------------------------


@dataclass
class LineRow:
    line: OrderLine
    options: str
    shipped: int
    ordered_gross: Any  # Decimal: the line's total before anything was given back

    @property
    def unit_gross(self) -> Decimal:
        """The unit price TTC the shopper saw (before the line's discount)."""
        return money_round(self.line.gross_before_discount / self.line.quantity)

    @property
    def vat_percent(self) -> Decimal:
        return (self.line.vat_rate * 100).normalize()


@dataclass
class OrderDetail:
    order: Order
    lines: list[LineRow]
    payments: list[Payment]
    shipments: list[Shipment]
    returns: list[ReturnRequest]
    status_changes: list[OrderStatusChange]
    notifications: list[NotificationLog]
    actions: list[OrderAction]
    shipped_units: int = 0
    units_left: dict[int, int] = field(default_factory=dict)  # line id -> units not yet shipped

    @property
    def has_left(self) -> bool:
        """Some units have left (or are packed to leave): cancelling is no longer offered for them."""
        return self.shipped_units > 0 or any(
            s.status not in (ShipmentStatus.TO_PICK, ShipmentStatus.PICKING, ShipmentStatus.PICKED)
            and s.status != ShipmentStatus.CANCELLED
            for s in self.shipments
        )

    @property
    def captured(self) -> Any:
        return sum((p.amount for p in self.payments if p.status in ("captured", "refunded")), start=0)


def visible_order(*, user: User | AnonymousUser, number: str) -> Order:
    """The order (with its location and customer) if ``user`` may see it, else ``OrderNotFound``."""
    order = orders_visible_to(user).filter(number=number).select_related("location", "customer").first()
    if order is None:
        raise OrderNotFound("No such order.", detail={"number": number[:40]})
    return order


def order_detail(*, user: User | AnonymousUser, number: str) -> OrderDetail:
    """Everything the detail page shows, in 15 queries whatever the size of the order."""
    order = visible_order(user=user, number=number)
    lines = list(
        OrderLine.objects.filter(order=order)
        .select_related("variant__product", "reservation__location")
        .prefetch_related("variant__option_values__option_type")
        .order_by("id")
    )
    shipments = list(
        Shipment.objects.filter(order=order)
        .select_related("location")
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line").order_by("id")),
            Prefetch(
                "parcels",
                queryset=Parcel.objects.order_by("id").prefetch_related(
                    Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id"))
                ),
            ),
        )
        .order_by("created_at", "id")
    )
    shipped: dict[int, int] = {}
    for shipment in shipments:
        if shipment.status in LEFT_STATUSES:
            for shipment_line in shipment.lines.all():
                shipped[shipment_line.order_line_id] = (
                    shipped.get(shipment_line.order_line_id, 0) + shipment_line.quantity
                )
    returns = list(
        ReturnRequest.objects.filter(order=order)
        .select_related("received_at_location")
        .prefetch_related(
            Prefetch("lines", queryset=ReturnRequestLine.objects.select_related("order_line").order_by("id"))
        )
        .order_by("created_at", "id")
    )
    rows = [
        LineRow(
            line=line,
            options=option_label(line),
            shipped=shipped.get(line.pk, 0),
            ordered_gross=line.total_gross,
        )
        for line in lines
    ]
    return OrderDetail(
        order=order,
        lines=rows,
        payments=payments_of_order(order_id=order.pk),
        shipments=shipments,
        returns=returns,
        status_changes=list(
            OrderStatusChange.objects.filter(order=order).select_related("user").order_by("created_at", "id")
        ),
        notifications=list(NotificationLog.objects.filter(order=order).order_by("created_at", "id")),
        actions=list(
            OrderAction.objects.filter(order=order).select_related("user").order_by("created_at", "id")
        ),
        shipped_units=sum(shipped.values()),
        units_left={line.pk: line.quantity - shipped.get(line.pk, 0) for line in lines},
    )
