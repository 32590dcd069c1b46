"""The facts and the daily roll-up, against hand-computed figures: a till sale with a return, a web
order, a cancellation; refreshed twice (idempotent), rebuilt, checked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from core.outbox import OutboxMessage
from orders import services as order_services
from orders.models import OrderStatus
from orders.services import LineQuantity
from reporting import facts
from reporting.models import FactKind, ReportChannel, SalesDay, SalesFact

from .conftest import till_return, till_sale, web_order

pytestmark = pytest.mark.django_db

D = Decimal


def figures(day: SalesDay) -> dict[str, object]:
    names = ["orders", "identified_orders", "units_sold", "units_cancelled", "units_returned",
             "sales_ttc", "revenue_ttc", "revenue_ht", "cost_ht", "costed_revenue_ht", "refunds_ttc",
             "shipping_ttc"]  # fmt: skip
    return {name: getattr(day, name) for name in names}


def test_a_till_sale_and_its_return_make_the_store_day(shop):
    shop.tee.cost_price_ht = D("4.00")
    shop.tee.save()
    shop.mug.cost_price_ht = D("2.00")
    shop.mug.save()
    sale = till_sale(shop, [("TEE", 2), ("MUG", 1)], [("cash", "40.00")])  # 2 x 12.50 + 6.00 = 31.00
    ret = till_return(shop, sale, [("TEE", 1)])  # 12.50 back in cash

    facts.refresh_orders([sale.pk])
    keys = facts.refresh_orders([sale.pk])  # twice: the same rows

    today = timezone.localdate()
    assert keys == {(today, shop.aja.pk, ReportChannel.STORE, None)}  # a till sale: no shop
    rows = {f.key: f for f in SalesFact.objects.all()}
    lines = {line.sku: line for line in sale.lines.all()}
    assert set(rows) == {
        f"sale:{lines['TEE'].pk}",
        f"sale:{lines['MUG'].pk}",
        f"return:{sale.actions.get(kind='return').pk}:{lines['TEE'].pk}",
        f"till-return:{ret.pk}",
    }
    tee_sale = rows[f"sale:{lines['TEE'].pk}"]
    assert (tee_sale.units, tee_sale.revenue_ttc, tee_sale.cost_ht, tee_sale.cashier_id) == (
        2, D("25.00"), D("8.00"), shop.cashier.pk,
    )  # fmt: skip
    assert (tee_sale.hour, tee_sale.weekday) == (
        timezone.localtime(sale.pos_sale.sold_at).hour,
        today.weekday(),
    )
    day = SalesDay.objects.get()
    assert figures(day) == {
        "orders": 1, "identified_orders": 0, "units_sold": 3, "units_cancelled": 0, "units_returned": 1,
        # HT: 2 x 10.415 = 20.83 + 5.00 sold, half of 20.83 = 10.42 (rounded once) back: 15.41
        "sales_ttc": D("31.00"), "revenue_ttc": D("18.50"), "revenue_ht": D("15.41"),
        "cost_ht": D("6.00"), "costed_revenue_ht": D("15.41"), "refunds_ttc": D("12.50"),
        "shipping_ttc": D("0.00"),
    }  # fmt: skip
    assert facts.check().ok


def test_web_orders_count_when_paid_and_a_cancellation_takes_its_units_back(shop):
    unpaid = web_order((shop.tee, 1), pay=False)
    paid = web_order((shop.tee, 2), (shop.mug, 1))
    facts.refresh_orders([unpaid.pk, paid.pk])
    assert not SalesFact.objects.filter(order=unpaid).exists()  # never paid: never a sale
    assert set(SalesFact.objects.filter(order=paid).values_list("kind", "channel")) == {
        (FactKind.SALE, ReportChannel.WEB)
    }
    tee = paid.lines.get(sku="TEE")
    order_services.cancel_order(
        order=paid, lines=[LineQuantity(line_id=tee.pk, quantity=1)], user=None, reason="t"
    )
    paid.refresh_from_db()
    facts.refresh_orders([paid.pk])
    day = SalesDay.objects.get(channel=ReportChannel.WEB)
    assert (day.orders, day.units_sold, day.units_cancelled) == (1, 3, 1)
    assert day.sales_ttc == paid.total_gross - paid.shipping_gross
    assert day.revenue_ttc == day.sales_ttc - D("12.50")
    assert day.refunds_ttc == D("12.50")
    assert day.shipping_ttc == paid.shipping_gross
    assert paid.status == OrderStatus.PAID
    assert facts.check().ok


def test_order_events_owe_a_refresh_to_the_transaction(shop):
    sale = till_sale(shop, [("TEE", 1)], [("card", "12.50")])
    message = OutboxMessage.objects.get(task_name="reporting.tasks.refresh_order_facts")
    assert message.kwargs == {"order_ids": [sale.pk]}


def test_rebuild_is_idempotent_and_check_names_a_tampered_figure(shop):
    sale = till_sale(shop, [("TEE", 1)], [("cash", "20.00")])
    web_order((shop.mug, 1))
    first = facts.rebuild()
    snapshot = sorted(SalesFact.objects.values_list("key", "revenue_ttc", "units"))
    assert facts.rebuild() == first
    assert sorted(SalesFact.objects.values_list("key", "revenue_ttc", "units")) == snapshot
    assert facts.check().ok
    SalesDay.objects.filter(channel=ReportChannel.STORE).update(revenue_ttc=D("99.00"))
    SalesFact.objects.filter(key=f"sale:{sale.lines.get().pk}").update(units=5)
    report = facts.check()
    assert not report.ok
    assert any("units is 5, the orders say 1" in p for p in report.problems), report.problems
    assert any("revenue_ttc is 99.00" in p for p in report.problems), report.problems
