"""The KPI dashboard on PostgreSQL: 1,000,000 order lines, the facts rebuild and every page's timing.

    .venv/bin/python bench/reports.py                       # omni_bench_reports, 1,000,000 lines
    .venv/bin/python bench/reports.py --lines 100000 --runs 20 --keep --url postgres://...
    .venv/bin/python bench/reports.py --reuse --keep        # time the pages again on a kept database

What it does and measures:

1. seeds, in bulk (rows written directly with ``bulk_create``: this measures reports, not checkout),
   two years of history ending yesterday: 5 locations (4 stores and the web warehouse), ``--variants``
   variants (cost prices, a two-level category tree), ``--customers`` customers, ``--lines`` order
   lines: till sales (cashiers, registers, tenders, a third of them identified), web orders paid (a
   ``paid`` status change and a captured payment; a few never paid), click & collect, cancellations,
   returns (web and till), coupons. Skewed product popularity (Zipf), hour-of-day and weekday
   patterns, seasonality (summer and December peaks) and 8 % growth a year. Then ``ANALYZE``.
2. **rebuild**: ``reporting.facts.rebuild()`` (``manage.py rebuild_reports``): facts, facts/s;
   **check**: ``reporting.facts.check()`` (``manage.py check_reports``): must be clean.
3. **pages**: every URL of ``PAGES`` (dashboard pages and report API calls), logged in as a manager,
   with the Django test ``Client`` in-process (no HTTP server: the view, its queries and the template,
   not the network): one warm-up, then ``--runs`` runs each, p50 / p95 next to the 300 ms target.
   A URL that answers 404 (a page another branch adds) is skipped with a note.

The database is dropped unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import time
import uuid
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import create_database, drop_database, migrate, percentile, print_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_reports"
TARGET_MS = 300.0

# Every dashboard page and report API call the bench times (pages other branches add are skipped
# with a note while they answer 404).
PAGES = [
    "/dashboard/",
    "/dashboard/?period=week",
    "/dashboard/?period=month",
    "/dashboard/?period=year",
    "/dashboard/?period=year&export=csv",
    "/dashboard/sales/?by=store&period=month",
    "/dashboard/sales/?by=store&period=year",
    "/dashboard/sales/?by=channel&period=month",
    "/dashboard/sales/?by=channel&period=year",
    "/dashboard/sales/?by=category&period=month",
    "/dashboard/sales/?by=category&period=year",
    "/dashboard/sales/?by=product&period=month",
    "/dashboard/sales/?by=product&period=year",
    "/dashboard/sales/?by=cashier&period=month",
    "/dashboard/sales/?by=cashier&period=year",
    "/dashboard/sales/?by=hour&period=month",
    "/dashboard/sales/?by=hour&period=year",
    "/dashboard/sales/?by=payment&period=month",
    "/dashboard/sales/?by=payment&period=year",
    "/dashboard/sales/?by=coupon&period=month",
    "/dashboard/sales/?by=coupon&period=year",
    "/dashboard/stock/",
    "/dashboard/customers/?period=month",
    "/dashboard/customers/?period=year",
    "/dashboard/conversion/?period=month",
    "/dashboard/conversion/?period=year",
    "/api/v1/reports/sales/?group_by=day&period=month",
    "/api/v1/reports/sales/?group_by=day&period=year",
    "/api/v1/reports/sales/?group_by=week&period=month",
    "/api/v1/reports/sales/?group_by=week&period=year",
    "/api/v1/reports/sales/?group_by=month&period=month",
    "/api/v1/reports/sales/?group_by=month&period=year",
    "/api/v1/reports/sales/?group_by=store&period=month",
    "/api/v1/reports/sales/?group_by=store&period=year",
    "/api/v1/reports/sales/?group_by=channel&period=month",
    "/api/v1/reports/sales/?group_by=channel&period=year",
    "/api/v1/reports/sales/?group_by=category&period=month",
    "/api/v1/reports/sales/?group_by=category&period=year",
    "/api/v1/reports/sales/?group_by=product&period=month",
    "/api/v1/reports/sales/?group_by=product&period=year",
    "/api/v1/reports/sales/?group_by=variant&period=month",
    "/api/v1/reports/sales/?group_by=variant&period=year",
    "/api/v1/reports/sales/?group_by=cashier&period=month",
    "/api/v1/reports/sales/?group_by=cashier&period=year",
    "/api/v1/reports/sales/?group_by=payment_method&period=month",
    "/api/v1/reports/sales/?group_by=payment_method&period=year",
    "/api/v1/reports/sales/?group_by=coupon&period=month",
    "/api/v1/reports/sales/?group_by=coupon&period=year",
    "/api/v1/reports/sales/?group_by=hour&period=month",
    "/api/v1/reports/sales/?group_by=hour&period=year",
    "/api/v1/reports/sales/?group_by=weekday&period=month",
    "/api/v1/reports/sales/?group_by=weekday&period=year",
    "/api/v1/reports/stock/",
    "/api/v1/reports/customers/?period=month",
    "/api/v1/reports/customers/?period=year",
    "/api/v1/reports/conversion/?period=year",
    # by shop (issue 17): the default shop's web orders, the stores' till sales
    "/dashboard/?period=year&shop=main",
    "/dashboard/?period=year&shop=stores",
    "/dashboard/sales/?by=product&period=year&shop=main",
    "/dashboard/sales/?by=category&period=month&shop=stores",
    "/api/v1/reports/sales/?group_by=product&period=year&shop=main",
    "/api/v1/reports/sales/?group_by=channel&period=year&shop=stores",
]

CENT = Decimal("0.01")
VAT = Decimal("0.2000")
STORES = [
    ("AJA", "Boutique Ajaccio", "Ajaccio"),
    ("BIA", "Boutique Bastia", "Bastia"),
    ("POR", "Boutique Porto-Vecchio", "Porto-Vecchio"),
    ("CAL", "Boutique Calvi", "Calvi"),
]
MONTH_WEIGHT = [0.75, 0.7, 0.8, 0.85, 0.95, 1.1, 1.5, 1.7, 1.0, 0.85, 0.95, 1.6]  # Corsica: summer, Xmas
STORE_WEEKDAY = [0.8, 0.85, 0.9, 0.95, 1.1, 1.6, 0.45]  # Monday .. Sunday
WEB_WEEKDAY = [1.15, 1.05, 1.0, 1.0, 0.95, 0.85, 1.1]
STORE_HOURS = {9: 3, 10: 6, 11: 9, 12: 8, 13: 5, 14: 5, 15: 6, 16: 8, 17: 10, 18: 9, 19: 4}
WEB_HOURS = dict(
    enumerate([1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 2, 3, 3.5, 4, 4, 4.5, 5, 4, 4, 4, 4.5, 5, 6, 7.5, 8, 6, 3])
)


@contextmanager
def dated_rows():
    """``auto_now_add`` / ``auto_now`` off while seeding: history rows carry their own dates."""
    from orders.models import Order, OrderStatusChange
    from orders.order_actions import OrderAction
    from payments.models import Payment
    from pos.models import PosSale
    from pos.returns_models import Return
    from pricing.models import CouponRedemption

    fields = [
        model._meta.get_field(name)
        for model, name in [
            (Order, "created_at"),
            (Order, "updated_at"),
            (OrderStatusChange, "created_at"),
            (OrderAction, "created_at"),
            (Payment, "created_at"),
            (Payment, "updated_at"),
            (PosSale, "created_at"),
            (Return, "created_at"),
            (CouponRedemption, "created_at"),
        ]
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def seed(*, lines: int, variants: int, customers: int, seed: int = 14) -> dict[str, int]:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from catalog.models import Product, Variant
    from inventory.models import LocationKind
    from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus, OrderStatusChange
    from orders.order_actions import OrderAction, OrderActionKind, RefundVia
    from payments.models import Payment, PaymentStatus
    from pos.models import PosSale, Register, RegisterSession, SaleTender
    from pos.returns_models import RefundMethod, Return
    from pricing.models import Coupon, CouponRedemption, Promotion
    from tests.factories import CategoryFactory, LocationFactory, UserFactory, VatRateFactory, make_ean13

    rng = random.Random(seed)
    counts: dict[str, int] = {}
    vat = VatRateFactory()
    web = LocationFactory(code="WEB", name="Entrepôt web", kind=LocationKind.WAREHOUSE)
    stores = [LocationFactory(code=code, name=name, city=city) for code, name, city in STORES]
    store_weight = [1.4, 1.1, 0.9, 0.6]
    roots = [
        CategoryFactory(name=n, slug=n.lower()) for n in ("Mode", "Maison", "Epicerie", "Beaute", "Sport")
    ]
    leaves = [
        CategoryFactory(name=f"{r.name} {i}", slug=f"{r.slug}-{i}", parent=r) for r in roots for i in range(4)
    ]
    per_product = 5
    products = Product.objects.bulk_create(
        [
            Product(
                name=f"Produit {n}",
                slug=f"produit-{n}",
                category=leaves[n % len(leaves)],
                vat_rate=vat,
                base_price_ht=Decimal(rng.choice((4, 8, 12, 15, 19, 25, 35, 49, 69, 99, 149))),
            )
            for n in range(math.ceil(variants / per_product))
        ],
        batch_size=2000,
    )
    made = Variant.objects.bulk_create(
        [
            Variant(
                product=products[n // per_product],
                sku=f"RPT-{n:06d}",
                ean13=make_ean13(n + 1),
                cost_price_ht=(
                    None
                    if n % 50 == 0  # a few variants without a cost: margin over the costed ones
                    else _money(products[n // per_product].base_price_ht * Decimal(rng.uniform(0.35, 0.6)))
                ),
            )
            for n in range(variants)
        ],
        batch_size=2000,
    )
    rng.shuffle(made)  # popularity rank independent of the product order
    catalogue = [(v.pk, v.sku, v.product.name, v.product.base_price_ht) for v in made]
    popularity = [1 / (rank + 1) ** 0.9 for rank in range(len(catalogue))]
    cum_pop = list(_accumulate(popularity))
    counts["variants"] = len(catalogue)

    people = User.objects.bulk_create(
        [
            User(
                email=f"client{n:06d}@bench.example", first_name=f"Client{n}", last_name="Bench", password="!"
            )
            for n in range(customers)
        ],
        batch_size=5000,
    )
    cum_people = list(_accumulate([1 / (rank + 1) ** 0.6 for rank in range(len(people))]))
    cashiers = {s.pk: [UserFactory(role=Role.CASHIER, store=s) for _ in range(3)] for s in stores}
    sessions = {}
    for s in stores:
        register = Register.objects.create(store=s, code=f"reg-{s.code.lower()}", name=f"Caisse {s.code}")
        sessions[s.pk] = RegisterSession.objects.create(
            register=register, opened_by=cashiers[s.pk][0], opening_float=Decimal("150.00")
        )
    now = timezone.now()
    promotion = Promotion.objects.create(
        name="Bench",
        kind="percent",
        value=Decimal("10"),
        starts_at=now - dt.timedelta(days=800),
        ends_at=now + dt.timedelta(days=30),
        requires_coupon=True,
    )
    coupons = [Coupon.objects.create(promotion=promotion, code=c) for c in ("BIENVENUE", "ETE10", "NOEL15")]

    # the days: two years ending yesterday, weighted by season, weekday and growth
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(730, 0, -1)]
    growth = [1.08 ** ((d - days[0]).days / 365) for d in days]
    base = [MONTH_WEIGHT[d.month - 1] * g for d, g in zip(days, growth, strict=True)]
    cum_store_days = list(
        _accumulate([b * STORE_WEEKDAY[d.weekday()] for b, d in zip(base, days, strict=True)])
    )
    cum_web_days = list(_accumulate([b * WEB_WEEKDAY[d.weekday()] for b, d in zip(base, days, strict=True)]))
    store_hours, store_hw = list(STORE_HOURS), list(STORE_HOURS.values())
    web_hours, web_hw = list(WEB_HOURS), list(WEB_HOURS.values())

    def moment(day: dt.date, hour: int) -> dt.datetime:
        naive = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)))
        return timezone.make_aware(naive, tz)

    written = 0
    number = 0
    totals = {"orders": 0, "lines": 0, "cancelled": 0, "returned": 0, "unpaid": 0, "coupons": 0}
    with dated_rows():
        while written < lines:
            batch_orders: list[Order] = []
            baskets: list[list[tuple]] = []
            extras: list[dict] = []
            while written < lines and len(batch_orders) < 2000:
                number += 1
                r = rng.random()
                kind = "store" if r < 0.62 else ("cc" if r < 0.72 else "web")
                n_lines = min(lines - written, rng.choices((1, 2, 3, 4, 5, 6), (30, 25, 18, 12, 8, 7))[0])
                picks = rng.choices(catalogue, cum_weights=cum_pop, k=n_lines)
                customer = None
                if kind != "store" or rng.random() < 0.35:
                    customer = rng.choices(people, cum_weights=cum_people)[0]
                if kind == "store":
                    day = rng.choices(days, cum_weights=cum_store_days)[0]
                    location = rng.choices(stores, store_weight)[0]
                    at = moment(day, rng.choices(store_hours, store_hw)[0])
                else:
                    day = rng.choices(days, cum_weights=cum_web_days)[0]
                    location = rng.choices(stores, store_weight)[0] if kind == "cc" else web
                    at = moment(day, rng.choices(web_hours, web_hw)[0])
                basket = []
                net_sum = vat_sum = Decimal(0)
                for variant_id, sku, name, price in picks:
                    quantity = rng.choices((1, 2, 3), (85, 12, 3))[0]
                    net = _money(price * quantity)
                    v = _money(net * VAT)
                    basket.append((variant_id, sku, name, price, quantity, net, v))
                    net_sum, vat_sum = net_sum + net, vat_sum + v
                shipping = Decimal("0") if kind != "web" or net_sum > 60 else Decimal("6.90")
                unpaid = kind != "store" and rng.random() < 0.02
                order = Order(
                    number=f"B{number:08d}",
                    channel=Channel.STORE if kind == "store" else Channel.WEB,
                    status=OrderStatus.CANCELLED if unpaid else OrderStatus.COMPLETED,
                    delivery_method={
                        "store": DeliveryMethod.IN_STORE,
                        "cc": DeliveryMethod.CLICK_AND_COLLECT,
                        "web": DeliveryMethod.HOME,
                    }[kind],
                    location=location,
                    customer=customer,
                    email=customer.email if customer else "",
                    total_net=net_sum,
                    total_vat=vat_sum,
                    total_gross=net_sum + vat_sum + shipping,
                    total_gross_eur=net_sum + vat_sum + shipping,
                    shipping_gross=shipping,
                    created_at=at - dt.timedelta(minutes=3) if kind != "store" else at,
                    updated_at=at,
                )
                batch_orders.append(order)
                baskets.append(basket)
                extras.append({"kind": kind, "at": at, "unpaid": unpaid, "location": location})
                written += n_lines
            Order.objects.bulk_create(batch_orders, batch_size=2000)
            order_lines = [
                OrderLine(
                    order=order,
                    variant_id=variant_id,
                    sku=sku,
                    name=name,
                    quantity=quantity,
                    unit_price_net=price,
                    vat_rate=VAT,
                    total_net=net,
                    total_vat=v,
                    total_gross=net + v,
                )
                for order, basket in zip(batch_orders, baskets, strict=True)
                for variant_id, sku, name, price, quantity, net, v in basket
            ]
            OrderLine.objects.bulk_create(order_lines, batch_size=5000)
            by_order: dict[int, list[OrderLine]] = {}
            for line in order_lines:
                by_order.setdefault(line.order_id, []).append(line)
            changes, payments, sales, tenders, actions, returns, redemptions = [], [], [], [], [], [], []
            for order, extra in zip(batch_orders, extras, strict=True):
                at, kind = extra["at"], extra["kind"]
                totals["orders"] += 1
                totals["lines"] += len(by_order[order.pk])
                if kind == "store":
                    session = sessions[order.location_id]
                    sales.append(
                        PosSale(
                            order=order,
                            session=session,
                            client_uuid=uuid.UUID(int=rng.getrandbits(128)),
                            cashier=rng.choice(cashiers[order.location_id]),
                            sold_at=at,
                            created_at=at,
                        )
                    )
                    if rng.random() < 0.3:
                        given = _money(Decimal(math.ceil(order.total_gross / 10) * 10))
                        tenders.append(
                            SaleTender(
                                order=order,
                                session=session,
                                tender="cash",
                                amount=given,
                                change_given=given - order.total_gross,
                            )
                        )
                    else:
                        tenders.append(
                            SaleTender(
                                order=order,
                                session=session,
                                tender=rng.choice(("card", "card", "mobile")),
                                amount=order.total_gross,
                            )
                        )
                    changes.append(
                        OrderStatusChange(
                            order=order, from_status="", to_status=OrderStatus.COMPLETED, created_at=at
                        )
                    )
                    if rng.random() < 0.015 and order.customer_id:  # a till return, days later
                        line = by_order[order.pk][0]
                        when = at + dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 3))
                        ret = Return(
                            number=f"R{order.number}",
                            order=order,
                            location_id=order.location_id,
                            session=session,
                            user=cashiers[order.location_id][0],
                            refund_method=RefundMethod.ORIGINAL,
                            total_gross=line.total_gross,
                            created_at=when,
                        )
                        returns.append(ret)
                        actions.append(
                            OrderAction(
                                order=order,
                                kind=OrderActionKind.RETURN,
                                amount=line.total_gross,
                                lines=[
                                    {
                                        "line_id": line.pk,
                                        "sku": line.sku,
                                        "quantity": line.quantity,
                                        "amount": str(line.total_gross),
                                    }
                                ],
                                external_reference=ret.number,
                                created_at=when,
                            )
                        )
                        totals["returned"] += 1
                    continue
                changes.append(
                    OrderStatusChange(
                        order=order,
                        from_status="",
                        to_status=OrderStatus.PENDING_PAYMENT,
                        created_at=order.created_at,
                    )
                )
                if extra["unpaid"]:
                    changes.append(
                        OrderStatusChange(
                            order=order,
                            from_status=OrderStatus.PENDING_PAYMENT,
                            to_status=OrderStatus.CANCELLED,
                            created_at=at + dt.timedelta(hours=1),
                        )
                    )
                    totals["unpaid"] += 1
                    continue
                changes.append(
                    OrderStatusChange(
                        order=order,
                        from_status=OrderStatus.PENDING_PAYMENT,
                        to_status=OrderStatus.PAID,
                        created_at=at,
                    )
                )
                changes.append(
                    OrderStatusChange(
                        order=order,
                        from_status=OrderStatus.PAID,
                        to_status=OrderStatus.COMPLETED,
                        created_at=at + dt.timedelta(days=2),
                    )
                )
                payments.append(
                    Payment(
                        order=order,
                        provider=rng.choice(("stripe", "stripe", "paypal")),
                        status=PaymentStatus.CAPTURED,
                        amount=order.total_gross,
                        currency="EUR",
                        amount_eur=order.total_gross,
                        return_url="/",
                        cancel_url="/",
                        created_at=at,
                        updated_at=at,
                        captured_at=at,
                    )
                )
                if order.customer_id and rng.random() < 0.08:
                    coupon = rng.choice(coupons)
                    redemptions.append(
                        CouponRedemption(
                            coupon=coupon,
                            customer_id=order.customer_id,
                            reference=order.number,
                            discount_ttc=Decimal("5.00"),
                            created_at=at,
                        )
                    )
                    totals["coupons"] += 1
                r = rng.random()
                if r < 0.02:  # cancelled after payment: every line, the money back
                    when = at + dt.timedelta(hours=rng.randint(1, 30))
                    actions.append(
                        OrderAction(
                            order=order,
                            kind=OrderActionKind.CANCEL,
                            amount=order.total_gross,
                            shipping_amount=order.shipping_gross,
                            via=RefundVia.ORIGINAL,
                            lines=[
                                {
                                    "line_id": ln.pk,
                                    "sku": ln.sku,
                                    "quantity": ln.quantity,
                                    "amount": str(ln.total_gross),
                                }
                                for ln in by_order[order.pk]
                            ],
                            created_at=when,
                        )
                    )
                    totals["cancelled"] += 1
                elif r < 0.07:  # a return of the first line, then its refund
                    line = by_order[order.pk][0]
                    when = at + dt.timedelta(days=rng.randint(4, 25))
                    actions.append(
                        OrderAction(
                            order=order,
                            kind=OrderActionKind.RETURN,
                            amount=Decimal(0),
                            lines=[
                                {
                                    "line_id": line.pk,
                                    "sku": line.sku,
                                    "quantity": 1,
                                    "amount": str(line.total_gross),
                                }
                            ],
                            created_at=when,
                        )
                    )
                    actions.append(
                        OrderAction(
                            order=order,
                            kind=OrderActionKind.REFUND,
                            via=RefundVia.ORIGINAL,
                            amount=_money(line.total_gross / line.quantity),
                            created_at=when + dt.timedelta(hours=2),
                        )
                    )
                    totals["returned"] += 1
            with transaction.atomic():
                OrderStatusChange.objects.bulk_create(changes, batch_size=5000)
                Payment.objects.bulk_create(payments, batch_size=5000)
                PosSale.objects.bulk_create(sales, batch_size=5000)
                SaleTender.objects.bulk_create(tenders, batch_size=5000)
                Return.objects.bulk_create(returns, batch_size=5000)
                OrderAction.objects.bulk_create(actions, batch_size=5000)
                CouponRedemption.objects.bulk_create(redemptions, batch_size=5000)
            if totals["orders"] % 50_000 < 2000:
                print(f"  {written:,} lines, {totals['orders']:,} orders", flush=True)
    counts.update(totals)
    return counts


def seed_stock(*, seed: int = 15) -> int:
    """A stock level for every variant at every location (about one in six empty, the rest 1-40
    units) and its last ledger row (a receipt, or the sale that emptied it) 1-120 days ago: what the
    stock page reads (value, cover, dead stock, stock-outs, transfers). Returns the levels written."""
    from django.db import connection, transaction

    from catalog.models import Variant
    from inventory.models import Location, MovementReason, StockLevel, StockMovement

    rng = random.Random(seed)
    locations = list(Location.objects.values_list("pk", flat=True))
    variants = list(Variant.objects.values_list("pk", flat=True))
    levels, movements = [], []
    for variant in variants:
        for location in locations:
            on_hand = 0 if rng.random() < 0.16 else rng.randint(1, 40)
            levels.append(StockLevel(variant_id=variant, location_id=location, on_hand=on_hand))
            movements.append(
                StockMovement(
                    variant_id=variant,
                    location_id=location,
                    quantity=on_hand if on_hand else -1,
                    reason=MovementReason.RECEIPT if on_hand else MovementReason.SALE,
                    reference="BENCH",
                )
            )
    with transaction.atomic():
        StockLevel.objects.bulk_create(levels, batch_size=5000)
        StockMovement.objects.bulk_create(movements, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")  # the ledger is append-only
            cursor.execute(
                "UPDATE inventory_stockmovement SET created_at = now() - (1 + (id % 120)) * interval '1 day'"
                " WHERE reference = 'BENCH'"
            )
            cursor.execute("ANALYZE inventory_stocklevel, inventory_stockmovement")
    return len(levels)


def _accumulate(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def time_pages(*, runs: int) -> list[list[object]]:
    from django.test import Client

    from accounts.models import Role
    from tests.factories import UserFactory

    manager = UserFactory(role=Role.MANAGER, email=f"manager-{uuid.uuid4().hex[:8]}@bench.example")
    client = Client()
    client.force_login(manager)
    rows: list[list[object]] = []
    for url in PAGES:
        response = client.get(url)  # warm-up (and the existence check)
        if response.status_code == 404:
            rows.append([url, "-", "", "", "", "skipped: 404 on this branch"])
            continue
        if response.status_code != 200:
            rows.append([url, response.status_code, "", "", "", "skipped: not a 200"])
            continue
        took = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            took.append((time.perf_counter() - started) * 1000)
        took.sort()
        p50, p95 = percentile(took, 50), percentile(took, 95)
        rows.append(
            [url, 200, f"{p50:.0f}", f"{p95:.0f}", f"{TARGET_MS:.0f}", "ok" if p95 < TARGET_MS else "SLOW"]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--variants", type=int, default=25_000)
    parser.add_argument("--customers", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="time the pages of a kept database, no seeding")
    parser.add_argument("--no-check", action="store_true", help="skip check_reports")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--rebuild", action="store_true", help="with --reuse: migrate and rebuild the reports first"
    )
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.url,
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    env.pop("REPORTING_DATABASE_URL", None)
    if not args.reuse:
        create_database(args.url)
    if not args.reuse or args.rebuild:
        migrate(env)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from reporting import facts
    from reporting.models import SalesDay, SalesFact

    try:
        if not args.reuse:
            started = time.perf_counter()
            counts = seed(lines=args.lines, variants=args.variants, customers=args.customers)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(
                f"seeded in {time.perf_counter() - started:.0f} s: "
                + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            )
        from inventory.models import StockLevel

        if not StockLevel.objects.exists():
            started = time.perf_counter()
            print(f"stock: {seed_stock():,} levels in {time.perf_counter() - started:.0f} s")
        if not args.reuse or args.rebuild:
            started, cpu = time.perf_counter(), time.process_time()
            total = facts.rebuild()
            took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE reporting_salesfact, reporting_salesday, reporting_paymentfact, "
                    "reporting_salescube, reporting_customerday, reporting_customerfirst, "
                    "reporting_pickupfact"
                )
            table = [
                [
                    "rebuild_reports",
                    f"{total:,}",
                    f"{took:.1f}",
                    f"{total / took:,.0f}",
                    f"{SalesDay.objects.count():,} day rows, {took_cpu:.0f} CPU-s in Python",
                ]
            ]
            if not args.no_check:
                started = time.perf_counter()
                report = facts.check()
                took = time.perf_counter() - started
                table.append(
                    [
                        "check_reports",
                        f"{report.facts_checked:,}",
                        f"{took:.1f}",
                        f"{report.facts_checked / took:,.0f}",
                        "clean" if report.ok else f"{len(report.problems)} problems: {report.problems[:3]}",
                    ]
                )
            print_table(["step", "facts", "seconds", "facts/s", "note"], table)
        print(
            f"\n{SalesFact.objects.count():,} facts; pages with the Django test Client in-process, "
            f"manager, 1 warm-up + {args.runs} runs:"
        )
        print_table(["url", "status", "p50 ms", "p95 ms", "target", ""], time_pages(runs=args.runs))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.url)


if __name__ == "__main__":
    main()
