"""Facts from orders: derive, refresh one order, roll the days up, rebuild everything, check.

The one definition of the figures (every page, API and export reads what this writes):

- **When an order counts as sold**: a web order at its payment (its first ``paid`` status change;
  never-paid orders never count), a till sale at the register's time (``PosSale.sold_at``), an
  archived order (history import) at its own date.
- **Revenue** is goods: each line's ``total_net`` / ``total_gross`` (after its discounts, in EUR),
  minus the goods cancelled or returned later, valued at the line's unit value (``total / quantity``
  x units, to the cent), on the day of the cancellation or the return. Shipping is apart
  (``shipping_ttc``); so is money given back (``refund_ttc``): cancellations' and refunds'
  ``OrderAction.amount`` and till returns' ``Return.total_gross``, the refund a till return asked
  of a web payment counted once (as the return). A goodwill refund (money back, goods kept) shows in
  refunds, not in revenue.
- **Cost** is the variant's ``cost_price_ht`` when the fact is written (None when it has none);
  margin is computed over the units that have a cost only.
- **Channel**: ``store`` (a till sale), ``click_collect`` (a web order collected in a store) or
  ``web``; **location**: the order's (the till's store, the pick-up store, the shipping warehouse).
- **Day / hour / weekday**: local time (``TIME_ZONE``), so a daylight-saving change moves nothing.
- **Shop**: a web order's ``shop`` (one placed before shops existed: the default shop's, as the
  admin counts it); none for a till sale: "the stores" (``reporting.access.STORES``).

``refresh_orders`` rewrites one order's facts from scratch (idempotent: the same order twice gives
the same rows) and then the affected days' roll-ups, each under its row lock, after the facts
committed: the last refresh of a day always sees every committed fact. Called after commit (Celery,
``reporting.tasks``) for every order event; ``rebuild`` does all orders in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from catalog.models import Variant
from core.money import money_round
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus, OrderStatusChange
from orders.order_actions import OrderAction, OrderActionKind

from . import cube
from .models import FactKind, FactOrder, PaymentFact, PickupFact, ReportChannel, SalesDay, SalesFact

PRIMARY = "default"  # facts are written and checked on the primary, never on the reporting replica
ZERO = Decimal("0")
CENT = Decimal("0.01")
DayKey = tuple[dt.date, int | None, str, int | None]  # (day, location id, channel, shop id)


# --- deriving ---------------------------------------------------------------------------------


@dataclass
class Derived:
    facts: list[SalesFact] = field(default_factory=list)
    payments: list[PaymentFact] = field(default_factory=list)
    pickups: list[PickupFact] = field(default_factory=list)

    def keys(self) -> set[DayKey]:
        return {(f.day, f.location_id, f.channel, f.shop_id) for f in self.facts} | {
            (p.day, p.location_id, p.channel, p.shop_id) for p in self.payments
        }


def report_channel(order: Order) -> str:
    if order.channel == Channel.STORE:
        return ReportChannel.STORE
    if order.delivery_method == DeliveryMethod.CLICK_AND_COLLECT:
        return ReportChannel.CLICK_COLLECT
    return ReportChannel.WEB


def fact_shop(order: Order, default_id: int | None) -> int | None:
    """The shop a fact counts for: the web order's (the default shop's when it has none, as orders
    from before shops), none for a till sale (the stores)."""
    if order.channel == Channel.STORE:
        return None
    return order.shop_id if order.shop_id is not None else default_id


def _default_shop_id(orders: list[Order]) -> int | None:
    """The default shop's id, read only when a web order without a shop needs it (0-1 query)."""
    if not any(o.channel != Channel.STORE and o.shop_id is None for o in orders):
        return None
    from shops.models import Shop

    return Shop.objects.filter(is_default=True).values_list("pk", flat=True).first()


def _when(at: dt.datetime) -> dict[str, Any]:
    local = timezone.localtime(at)
    return {"at": at, "day": local.date(), "hour": local.hour, "weekday": local.weekday()}


def _eur(amount: Decimal, order: Order) -> Decimal:
    if order.currency == "EUR" or not order.exchange_rate:
        return amount
    return money_round(amount / order.exchange_rate)


def _part(total: Decimal, units: int, of: int) -> Decimal:
    """``units`` of a line of ``of`` units worth ``total``: to the cent."""
    return money_round(total * units / of) if of else ZERO


def derive(orders: list[Order]) -> Derived:
    """The facts of ``orders`` (loaded with ``_load``) as unsaved rows. A handful of queries per call,
    whatever the number of orders."""
    from payments.models import Payment, PaymentStatus
    from pos.models import PosSale, SaleTender
    from pos.returns_models import Return
    from pricing.models import CouponRedemption

    derived = Derived()
    if not orders:
        return derived
    ids = [order.pk for order in orders]
    paid_at = _first_paid(ids)
    default_shop_id = _default_shop_id(orders)
    derived.pickups = _pickups(orders, default_shop_id)
    till = {
        sale.order_id: sale
        for sale in PosSale.objects.filter(order_id__in=ids).only("order_id", "sold_at", "cashier_id")
    }
    coupons: dict[str, list[str]] = defaultdict(list)
    for reference, code in (
        CouponRedemption.objects.filter(reference__in=[o.number for o in orders])
        .order_by("id")
        .values_list("reference", "coupon__code")
    ):
        coupons[reference].append(code)
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    for line in (
        OrderLine.objects.filter(order_id__in=ids)
        .only("order_id", "quantity", "total_net", "total_gross", "discount_gross", "variant_id")
        .order_by("id")
    ):
        lines[line.order_id].append(line)
    # The variants' cost, product and category as plain values: one model instance per line, not
    # three (a line with its variant and product), the most of derive's time on a rebuild.
    catalogue: dict[int | None, Item] = {
        pk: Item(cost, product_id, category_id)
        for pk, cost, product_id, category_id in Variant.objects.filter(
            pk__in={line.variant_id for found in lines.values() for line in found}
        ).values_list("pk", "cost_price_ht", "product_id", "product__category_id")
    }
    actions: dict[int, list[OrderAction]] = defaultdict(list)
    for action in OrderAction.objects.filter(
        order_id__in=ids, kind__in=[OrderActionKind.CANCEL, OrderActionKind.RETURN, OrderActionKind.REFUND]
    ).order_by("id"):
        actions[action.order_id].append(action)
    till_returns: dict[int, list[Return]] = defaultdict(list)
    for ret in Return.objects.filter(order_id__in=ids).order_by("id"):
        till_returns[ret.order_id].append(ret)
    payments: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for pk, order_id, provider, amount in Payment.objects.filter(
        order_id__in=ids, status__in=[PaymentStatus.CAPTURED, PaymentStatus.REFUNDED]
    ).values_list("pk", "order_id", "provider", "amount_eur"):
        payments[order_id].append((f"pay:{pk}", provider, amount))
    for tender_pk, order_id, tender, amount, change in SaleTender.objects.filter(
        order_id__in=ids
    ).values_list("pk", "order_id", "tender", "amount", "change_given"):
        payments[order_id].append((f"tender:{tender_pk}", tender, amount - change))

    for order in orders:
        sold_at = _sold_at(order, paid_at.get(order.pk), till.get(order.pk))
        if sold_at is None:
            continue  # never paid: never a sale
        sale = till.get(order.pk)
        base: dict[str, Any] = {
            "order_id": order.pk,
            "channel": report_channel(order),
            "location_id": order.location_id,
            "shop_id": fact_shop(order, default_shop_id),
            "cashier_id": sale.cashier_id if sale else None,
            "customer_id": order.customer_id,
            "coupon": ",".join(coupons.get(order.number, []))[:120],
        }
        by_id = {line.pk: line for line in lines[order.pk]}
        for i, line in enumerate(lines[order.pk]):
            derived.facts.append(
                SalesFact(
                    key=f"sale:{line.pk}",
                    kind=FactKind.SALE,
                    **base,
                    **_when(sold_at),
                    **_goods(line, catalogue, line.quantity, order, sign=1),
                    discount_ttc=_eur(line.discount_gross, order),
                    shipping_ttc=_eur(order.shipping_gross, order) if i == 0 else ZERO,
                )
            )
        return_numbers = {ret.number for ret in till_returns[order.pk]}
        for action in actions[order.pk]:
            at = _when(action.created_at)
            written_by_till = action.external_reference in return_numbers
            if action.kind in (OrderActionKind.CANCEL, OrderActionKind.RETURN):
                kind = FactKind.CANCEL if action.kind == OrderActionKind.CANCEL else FactKind.RETURN
                refund = action.amount if action.kind == OrderActionKind.CANCEL else ZERO
                shipping = action.shipping_amount if action.kind == OrderActionKind.CANCEL else ZERO
                for j, item in enumerate(action.lines or []):
                    returned = by_id.get(int(item.get("line_id", 0)))
                    units = int(item.get("quantity") or 0)
                    if returned is None or units <= 0:
                        continue
                    derived.facts.append(
                        SalesFact(
                            key=f"{kind}:{action.pk}:{returned.pk}",
                            kind=kind,
                            **base,
                            **at,
                            **_goods(returned, catalogue, units, order, sign=-1),
                            refund_ttc=refund if j == 0 else ZERO,
                            shipping_ttc=-shipping if j == 0 else ZERO,
                        )
                    )
                if not action.lines and refund:
                    derived.facts.append(_money(f"{kind}:{action.pk}", kind, base, at, refund, shipping))
            elif not written_by_till:  # a refund: money only (a till return's own is counted below)
                derived.facts.append(
                    _money(
                        f"refund:{action.pk}",
                        FactKind.REFUND,
                        base,
                        at,
                        action.amount,
                        action.shipping_amount,
                    )
                )
        for ret in till_returns[order.pk]:
            derived.facts.append(
                _money(
                    f"till-return:{ret.pk}",
                    FactKind.REFUND,
                    base,
                    _when(ret.created_at),
                    ret.total_gross,
                    ZERO,
                )
            )
        for key, method, amount in payments[order.pk]:
            when = _when(sold_at)
            derived.payments.append(
                PaymentFact(
                    key=key, order_id=order.pk, at=when["at"], day=when["day"], channel=base["channel"],
                    location_id=order.location_id, shop_id=base["shop_id"], method=method, amount=amount,
                )
            )  # fmt: skip
    return derived


class Item(NamedTuple):
    """What a fact keeps of a line's variant."""

    cost_price_ht: Decimal | None
    product_id: int | None
    category_id: int | None


NO_ITEM = Item(None, None, None)


def _goods(
    line: OrderLine, catalogue: dict[int | None, Item], units: int, order: Order, *, sign: int
) -> dict[str, Any]:
    item = catalogue.get(line.variant_id, NO_ITEM)
    cost = item.cost_price_ht
    return {
        "variant_id": line.variant_id,
        "product_id": item.product_id,
        "category_id": item.category_id,
        "units": sign * units,
        "revenue_ht": sign * _eur(_part(line.total_net, units, line.quantity), order),
        "revenue_ttc": sign * _eur(_part(line.total_gross, units, line.quantity), order),
        "cost_ht": None if cost is None else sign * money_round(cost * units),
    }


def _money(
    key: str, kind: str, base: dict[str, Any], at: dict[str, Any], amount: Decimal, shipping: Decimal
) -> SalesFact:
    return SalesFact(key=key, kind=kind, **base, **at, refund_ttc=amount, shipping_ttc=-shipping)


def _sold_at(order: Order, paid: dt.datetime | None, sale: Any) -> dt.datetime | None:
    if order.channel == Channel.STORE:
        return sale.sold_at if sale is not None else order.created_at
    if paid is not None:
        return paid
    if order.status == OrderStatus.COMPLETED:
        return order.created_at  # archived (history import): completed without a payment, its own date
    return None


def _first_paid(ids: list[int]) -> dict[int, dt.datetime]:
    found: dict[int, dt.datetime] = {}
    for order_id, at in (
        OrderStatusChange.objects.filter(order_id__in=ids, to_status=OrderStatus.PAID)
        .order_by("id")
        .values_list("order_id", "created_at")
    ):
        found.setdefault(order_id, at)
    return found


def _pickups(orders: list[Order], default_shop_id: int | None) -> list[PickupFact]:
    """Each click & collect order's collection (ready for pick-up -> completed) with its wait from the
    first time it was ready."""
    by_id = {order.pk: order for order in orders if order.delivery_method == DeliveryMethod.CLICK_AND_COLLECT}
    ready: dict[int, dt.datetime] = {}
    found = []
    for pk, order_id, from_status, to_status, at in (
        OrderStatusChange.objects.filter(
            order_id__in=list(by_id), to_status__in=[OrderStatus.READY_FOR_PICKUP, OrderStatus.COMPLETED]
        )
        .order_by("id")
        .values_list("pk", "order_id", "from_status", "to_status", "created_at")
    ):
        if to_status == OrderStatus.READY_FOR_PICKUP:
            ready.setdefault(order_id, at)
        elif from_status == OrderStatus.READY_FOR_PICKUP and order_id in ready:
            found.append(
                PickupFact(
                    key=f"pickup:{pk}",
                    order_id=order_id,
                    day=timezone.localtime(at).date(),
                    location_id=by_id[order_id].location_id,
                    shop_id=fact_shop(by_id[order_id], default_shop_id),
                    seconds=max(int((at - ready[order_id]).total_seconds()), 0),
                )
            )
    return found


def _load(ids: Iterable[int]) -> list[Order]:
    return list(
        Order.objects.filter(pk__in=list(ids)).only(
            "number", "channel", "status", "delivery_method", "location_id", "shop_id", "customer_id",
            "currency", "exchange_rate", "shipping_gross", "created_at",
        )
    )  # fmt: skip


# --- writing ------------------------------------------------------------------------------------


def refresh_orders(order_ids: Iterable[int]) -> set[DayKey]:
    """Rewrite the facts of these orders from the orders, then the roll-ups of every day they touch
    (before and after). Idempotent. Returns the day keys rolled up (the live dashboard's news)."""
    ids = sorted(set(order_ids))
    if not ids:
        return set()
    with transaction.atomic():
        FactOrder.objects.using(PRIMARY).bulk_create(
            [FactOrder(order_id=pk) for pk in ids], ignore_conflicts=True
        )
        list(
            FactOrder.objects.using(PRIMARY).select_for_update().filter(order_id__in=ids).order_by("order_id")
        )
        old = list(SalesFact.objects.using(PRIMARY).filter(order_id__in=ids).only(*CUBE_FIELDS))
        before = {(f.day, f.location_id, f.channel, f.shop_id) for f in old} | set(
            PaymentFact.objects.using(PRIMARY)
            .filter(order_id__in=ids)
            .values_list("day", "location_id", "channel", "shop_id")
            .distinct()
        )
        SalesFact.objects.using(PRIMARY).filter(order_id__in=ids).delete()
        PaymentFact.objects.using(PRIMARY).filter(order_id__in=ids).delete()
        PickupFact.objects.using(PRIMARY).filter(order_id__in=ids).delete()
        derived = derive(_load(ids))
        SalesFact.objects.using(PRIMARY).bulk_create(derived.facts, batch_size=2000)
        PaymentFact.objects.using(PRIMARY).bulk_create(derived.payments, batch_size=2000)
        PickupFact.objects.using(PRIMARY).bulk_create(derived.pickups, batch_size=2000)
        cube.apply_change(old, derived.facts)
    keys = before | derived.keys()
    for key in sorted(keys, key=_sort_key):
        roll_up(key)
    return keys


# What the roll-ups read of a fact (``reporting.cube``).
CUBE_FIELDS = ("order_id", "kind", "day", "hour", "weekday", "channel", "location_id", "shop_id",
               "cashier_id", "customer_id", "variant_id", "product_id", "category_id", "coupon", "units",
               "revenue_ht", "revenue_ttc", "discount_ttc", "cost_ht")  # fmt: skip


def _day_keys(queryset: QuerySet[Any]) -> set[DayKey]:
    return set(queryset.values_list("day", "location_id", "channel", "shop_id").distinct())


def _of_key(queryset: QuerySet[Any], key: DayKey) -> QuerySet[Any]:
    day, location_id, channel, shop_id = key
    where = Q(location__isnull=True) if location_id is None else Q(location_id=location_id)
    where &= Q(shop__isnull=True) if shop_id is None else Q(shop_id=shop_id)
    return queryset.filter(where, day=day, channel=channel)


def _sort_key(key: DayKey) -> tuple[dt.date, int, str, int]:
    return (key[0], key[1] or 0, key[2], key[3] or 0)


def _wanted() -> dict[str, Any]:
    """The roll-up's figures as aggregates over facts (cancelled and returned units as negatives)."""
    sale = Q(kind=FactKind.SALE)
    costed = Q(cost_ht__isnull=False)
    return {
        "orders": Count("order", filter=sale, distinct=True),
        "identified_orders": Count("order", filter=sale & Q(customer__isnull=False), distinct=True),
        "units_sold": Sum("units", filter=sale, default=0),
        "units_cancelled": Sum("units", filter=Q(kind=FactKind.CANCEL), default=0),
        "units_returned": Sum("units", filter=Q(kind=FactKind.RETURN), default=0),
        "sales_ht": Sum("revenue_ht", filter=sale, default=ZERO),
        "sales_ttc": Sum("revenue_ttc", filter=sale, default=ZERO),
        "revenue_ht": Sum("revenue_ht", default=ZERO),
        "revenue_ttc": Sum("revenue_ttc", default=ZERO),
        "discount_ttc": Sum("discount_ttc", default=ZERO),
        "cost_ht": Sum("cost_ht", filter=costed, default=ZERO),
        "costed_revenue_ht": Sum("revenue_ht", filter=costed, default=ZERO),
        "shipping_ttc": Sum("shipping_ttc", default=ZERO),
        "refunds_ttc": Sum("refund_ttc", default=ZERO),
    }


def _sums(facts: QuerySet[SalesFact]) -> dict[str, Any]:
    """The roll-up's figures of these facts (cancelled and returned units as negatives)."""
    wanted = _wanted()
    # Aliases may not be field names (Django refuses Sum("revenue_ht") AS revenue_ht): prefix them.
    sums = facts.aggregate(**{f"sum_{name}": expression for name, expression in wanted.items()})
    return {name: sums[f"sum_{name}"] for name in wanted}


def _sums_by_key(facts: QuerySet[SalesFact]) -> dict[DayKey, dict[str, Any]]:
    """``_sums`` of every (day, location, channel) of these facts in one GROUP BY, cancelled and
    returned units made positive as ``SalesDay`` keeps them: what ``rebuild`` and ``check`` roll up
    instead of a query per day."""
    wanted = _wanted()
    rows: Any = (
        facts.order_by()
        .values("day", "location_id", "channel", "shop_id")
        .annotate(**{f"sum_{name}": expression for name, expression in wanted.items()})
    )
    found: dict[DayKey, dict[str, Any]] = {}
    for row in rows:
        sums = {name: row[f"sum_{name}"] for name in wanted}
        sums["units_cancelled"], sums["units_returned"] = -sums["units_cancelled"], -sums["units_returned"]
        found[(row["day"], row["location_id"], row["channel"], row["shop_id"])] = sums
    return found


@transaction.atomic
def roll_up(key: DayKey) -> SalesDay | None:
    """The day's row for this location and channel made to equal the sum of its facts, under its row
    lock (created when missing); removed when no fact is left."""
    day, location_id, channel, shop_id = key
    days = SalesDay.objects.using(PRIMARY)
    days.bulk_create(
        [SalesDay(day=day, location_id=location_id, channel=channel, shop_id=shop_id)], ignore_conflicts=True
    )
    row: SalesDay = _of_key(days.select_for_update(), key).get()
    facts = _of_key(SalesFact.objects.using(PRIMARY), key)
    if not facts.exists():
        row.delete(using=PRIMARY)
        return None
    sums = _sums(facts)
    for name, value in sums.items():
        setattr(row, name, value)
    row.units_cancelled, row.units_returned = -row.units_cancelled, -row.units_returned
    row.save(using=PRIMARY)
    return row


def refresh_order_range(*, first_id: int, last_id: int, chunk: int = 2000) -> int:
    """``refresh_orders`` for the orders with ids ``first_id`` to ``last_id`` (an archive import), a
    chunk at a time. Returns how many orders were refreshed."""
    done = 0
    ids = Order.objects.filter(pk__gte=first_id, pk__lte=last_id).order_by("pk").values_list("pk", flat=True)
    for batch in _chunks(ids, chunk):
        refresh_orders(batch)
        done += len(batch)
    return done


def rebuild(*, chunk: int = 2000) -> int:
    """Every order's facts and every day's roll-up, from scratch (``manage.py rebuild_reports``).
    Idempotent; orders are read in chunks, facts written in bulk. Returns the number of facts."""
    with transaction.atomic():
        SalesDay.objects.using(PRIMARY).all().delete()
        SalesFact.objects.using(PRIMARY).all().delete()
        PaymentFact.objects.using(PRIMARY).all().delete()
        PickupFact.objects.using(PRIMARY).all().delete()
        FactOrder.objects.using(PRIMARY).all().delete()
        total = 0
        for ids in _chunks(Order.objects.order_by("pk").values_list("pk", flat=True), chunk):
            derived = derive(_load(ids))
            FactOrder.objects.using(PRIMARY).bulk_create([FactOrder(order_id=pk) for pk in ids])
            SalesFact.objects.using(PRIMARY).bulk_create(derived.facts, batch_size=2000)
            PaymentFact.objects.using(PRIMARY).bulk_create(derived.payments, batch_size=2000)
            PickupFact.objects.using(PRIMARY).bulk_create(derived.pickups, batch_size=2000)
            total += len(derived.facts)
        # Every roll-up in one GROUP BY (the same sums as ``roll_up``, which does one key at a time).
        by_key = _sums_by_key(SalesFact.objects.using(PRIMARY))
        SalesDay.objects.using(PRIMARY).bulk_create(
            [
                SalesDay(day=key[0], location_id=key[1], channel=key[2], shop_id=key[3], **by_key[key])
                for key in sorted(by_key, key=_sort_key)
            ],
            batch_size=2000,
        )
        cube.rebuild()
    return total


def _chunks(values: QuerySet[Any, int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for value in values.iterator(chunk_size=size):
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- checking -----------------------------------------------------------------------------------


FACT_FIELDS = ("kind", "day", "hour", "channel", "location_id", "shop_id", "variant_id", "units",
               "revenue_ht", "revenue_ttc", "discount_ttc", "cost_ht", "shipping_ttc",
               "refund_ttc")  # fmt: skip


@dataclass
class CheckReport:
    orders_checked: int = 0
    facts_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(*, chunk: int = 2000, limit: int = 50) -> CheckReport:
    """Derive every order's facts again and compare them with the stored ones, then every roll-up with
    the sum of its facts (``manage.py check_reports``). The first ``limit`` differences are named.
    Costs are compared as they were written (a cost price changed since is not a difference)."""
    report = CheckReport()

    def problem(text: str) -> None:
        if len(report.problems) < limit:
            report.problems.append(text)

    for ids in _chunks(Order.objects.order_by("pk").values_list("pk", flat=True), chunk):
        report.orders_checked += len(ids)
        derived_now = derive(_load(ids))
        fresh = {f.key: f for f in derived_now.facts}
        stored = {f.key: f for f in SalesFact.objects.using(PRIMARY).filter(order_id__in=ids)}
        report.facts_checked += len(stored)
        waits = {p.key: p.seconds for p in PickupFact.objects.using(PRIMARY).filter(order_id__in=ids)}
        for pickup in derived_now.pickups:
            if waits.pop(pickup.key, None) != pickup.seconds:
                problem(f"pick-up {pickup.key} (order {pickup.order_id}) missing or wrong")
        for key in waits:
            problem(f"pick-up {key} no longer matches the orders")
        for key in sorted(fresh.keys() - stored.keys()):
            problem(f"missing fact {key} (order {fresh[key].order_id})")
        for key in sorted(stored.keys() - fresh.keys()):
            problem(f"fact {key} no longer matches any document (order {stored[key].order_id})")
        for key in sorted(fresh.keys() & stored.keys()):
            a, b = fresh[key], stored[key]
            for name in FACT_FIELDS:
                if name == "cost_ht":
                    continue
                if getattr(a, name) != getattr(b, name):
                    problem(f"fact {key}: {name} is {getattr(b, name)}, the orders say {getattr(a, name)}")
    days: dict[DayKey, SalesDay] = {
        (d.day, d.location_id, d.channel, d.shop_id): d for d in SalesDay.objects.using(PRIMARY).all()
    }
    by_key = _sums_by_key(SalesFact.objects.using(PRIMARY))  # every day's sums in one GROUP BY
    keys = set(by_key)
    for day_key in sorted(keys - days.keys(), key=_sort_key):
        problem(f"{_name(day_key)}: no roll-up")
    for day_key in sorted(days.keys() - keys, key=_sort_key):
        problem(f"{_name(day_key)}: a roll-up without facts")
    for day_key in sorted(keys & days.keys(), key=_sort_key):
        sums = by_key[day_key]
        row = days[day_key]
        for name, value in sums.items():
            if getattr(row, name) != value:
                problem(f"{_name(day_key)}: {name} is {getattr(row, name)}, the facts say {value}")
    cube.check(problem)
    return report


def _name(key: DayKey) -> str:
    return f"day {key[0]} {key[2]} at location {key[1]} shop {key[3]}"
