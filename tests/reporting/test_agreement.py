"""The aggregates agree with the raw orders after a random day of trading: till sales, till
returns, paid and unpaid web orders, partial and whole cancellations, each refreshed the real way
(the order event owes a task to the outbox, the eager worker runs it after the commit).

The expected figures are summed straight from the order tables (lines, their cancelled and
returned quantities, the till returns, the refund actions), not through ``reporting.facts``."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.db.models import Sum

from core.money import money_round
from inventory import services as inventory
from orders import services as order_services
from orders.models import Order, OrderLine, OrderStatus
from orders.order_actions import OrderAction
from orders.services import LineQuantity
from pos.returns_models import Return
from reporting import facts
from reporting.models import SalesDay

from .conftest import till_return, till_sale, web_order

pytestmark = pytest.mark.django_db

D = Decimal


def unit_value(line: OrderLine, units: int) -> Decimal:
    return money_round(line.total_gross * units / line.quantity)


def expected() -> dict[str, object]:
    sold = Order.objects.filter(pk__in=_sold_ids())  # till sales, and web orders once paid
    lines = list(OrderLine.objects.filter(order__in=sold))
    gone = sum((unit_value(line, line.quantity_cancelled + line.quantity_returned) for line in lines), D("0"))
    refunds = OrderAction.objects.filter(order__in=sold, kind__in=["cancel", "refund"]).exclude(
        external_reference__in=Return.objects.values("number")
    ).aggregate(s=Sum("amount"))["s"] or D("0")
    refunds += Return.objects.aggregate(s=Sum("total_gross"))["s"] or D("0")
    return {
        "orders": sold.count(),
        "units_sold": sum(line.quantity for line in lines),
        "units_cancelled": sum(line.quantity_cancelled for line in lines),
        "units_returned": sum(line.quantity_returned for line in lines),
        "sales_ttc": sum((line.total_gross for line in lines), D("0")),
        "revenue_ttc": sum((line.total_gross for line in lines), D("0")) - gone,
        "refunds_ttc": refunds,
    }


def _sold_ids() -> set[int]:
    till = set(Order.objects.filter(channel="store").values_list("pk", flat=True))
    paid = set(Order.objects.filter(status_changes__to_status=OrderStatus.PAID).values_list("pk", flat=True))
    return till | paid


def stored() -> dict[str, object]:
    names = ["orders", "units_sold", "units_cancelled", "units_returned", "sales_ttc", "revenue_ttc",
             "refunds_ttc"]  # fmt: skip
    sums = SalesDay.objects.aggregate(**{f"s_{n}": Sum(n) for n in names})
    return {n: sums[f"s_{n}"] or 0 for n in names}


def test_a_random_day_of_trading_adds_up(shop, eager_celery, django_capture_on_commit_callbacks):
    rng = random.Random(1)
    for variant in (shop.tee, shop.mug):
        inventory.receive_stock(variant=variant, location=shop.aja, quantity=200, reference="PO-R")
        inventory.receive_stock(variant=variant, location=shop.warehouse, quantity=200, reference="PO-R")
    sales, web = [], []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(12):
            roll = rng.random()
            if roll < 0.4:
                lines = [("TEE", rng.randint(1, 3))]
                if rng.random() < 0.5:
                    lines.append(("MUG", rng.randint(1, 2)))
                total = sum(D("12.50") * q if sku == "TEE" else D("6.00") * q for sku, q in lines)
                sales.append(till_sale(shop, lines, [("cash", str(total))]))
            elif roll < 0.55 and sales:
                sale = rng.choice(sales)
                line = sale.lines.order_by("?").first()
                left = line.quantity - line.quantity_returned
                if left:
                    till_return(shop, sale, [(line.sku, rng.randint(1, left))])
                    line.refresh_from_db()
            elif roll < 0.85:
                web.append(web_order((shop.tee, rng.randint(1, 2)), (shop.mug, 1), pay=rng.random() < 0.8))
            elif web:
                order = Order.objects.get(pk=rng.choice(web).pk)
                if order.status == OrderStatus.PAID:
                    line = order.lines.first()
                    left = line.quantity - line.quantity_cancelled
                    if left and rng.random() < 0.5:
                        order_services.cancel_order(
                            order=order, lines=[LineQuantity(line.pk, 1)], user=None, reason="random"
                        )
                    else:
                        order_services.cancel_order(order=order, lines=None, user=None, reason="random")

    assert stored() == expected()
    assert facts.check().ok
    before = stored()
    facts.rebuild()
    assert stored() == before  # the incremental path and the rebuild agree
