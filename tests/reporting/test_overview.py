"""The overview's figures, hand-computed: today against yesterday and last year, per scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from reporting import facts
from reporting.access import Scope
from reporting.models import ReportChannel, SalesDay
from reporting.periods import Period
from reporting.selectors.overview import overview
from tests.factories import UserFactory

from .conftest import till_return, till_sale, web_order

pytestmark = pytest.mark.django_db

D = Decimal


def test_today_against_last_year_with_a_return_a_web_order_and_costs(shop):
    shop.tee.cost_price_ht = D("4.00")
    shop.tee.save()
    customer = UserFactory(role=Role.SHOPPER)
    sale = till_sale(shop, [("TEE", 2), ("MUG", 1)], [("cash", "31.00")], customer=customer)  # 31.00
    till_return(shop, sale, [("TEE", 1)])  # 12.50 back
    paid = web_order((shop.tee, 1))  # 12.50 + shipping
    facts.refresh_orders([sale.pk, paid.pk])
    today = timezone.localdate()
    a_year_ago = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) else today
    SalesDay.objects.create(day=a_year_ago, location=shop.aja, channel=ReportChannel.STORE, orders=4,
                            sales_ttc=D("50.00"), revenue_ttc=D("50.00"), revenue_ht=D("41.67"),
                            units_sold=5)  # fmt: skip

    data = overview(Period(today, today, "today"), Scope())

    now = data.current
    assert now.orders == 2
    assert now.revenue_ttc == D("31.00") - D("12.50") + D("12.50")
    assert now.average_basket == ((D("31.00") + D("12.50")) / 2).quantize(D("0.01"))
    assert now.units_per_basket == D("2.00")  # 4 units / 2 orders
    assert now.returns_rate == D("0.2500")  # 1 of 4 units came back
    assert now.refunds_ttc == D("12.50")
    assert now.identified_share == D("0.5000")  # the till customer; the web guest is anonymous
    # margin over the costed units only: TEE sold 2 + 1, returned 1 = 2 net at 10.415 HT, cost 4.00
    tee_net_ht = D("20.83") + D("10.42") - D("10.42")
    assert now.margin_ht == tee_net_ht - D("8.00")
    assert data.previous.orders == 0 and data.change("orders") is None
    assert data.last_year.orders == 4
    assert data.change("orders", "last_year") == D("-0.5")
    assert data.days[0]["last_year_revenue_ttc"] == D("50.00")

    store_only = overview(Period(today, today, "today"), Scope(location_id=shop.aja.pk))
    assert store_only.current.orders == 1 and store_only.current.revenue_ttc == D("18.50")


def test_the_page_shows_the_figures_and_exports_the_days(client, shop):
    sale = till_sale(shop, [("TEE", 1)], [("cash", "12.50")])
    facts.refresh_orders([sale.pk])
    manager = UserFactory(role=Role.MANAGER)
    client.force_login(manager)
    page = client.get("/dashboard/?period=today")
    assert page.status_code == 200
    html = page.content.decode()
    assert "12,50 €" in html or "12.50 €" in html
    assert 'data-live-url="?period=today&amp;partial=kpis"' in html
    fragment = client.get("/dashboard/?period=today&partial=kpis")
    assert (
        fragment.status_code == 200 and b"<html" not in fragment.content and b"kpi__value" in fragment.content
    )
    csv = client.get("/dashboard/?period=today&export=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "12,50" in csv.content.decode("utf-8")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    past = client.get(f"/dashboard/?date_from={yesterday}&date_to={yesterday}")
    assert past.status_code == 200 and b"data-live-url" not in past.content


def test_a_long_period_shows_months_and_a_chart(client, shop):
    sale = till_sale(shop, [("TEE", 1)], [("cash", "12.50")])
    facts.refresh_orders([sale.pk])
    client.force_login(UserFactory(role=Role.MANAGER))
    today = timezone.localdate()
    start = (today - dt.timedelta(days=120)).isoformat()
    page = client.get(f"/dashboard/?date_from={start}&date_to={today.isoformat()}&export=csv")
    lines = page.content.decode("utf-8").splitlines()
    assert 4 <= len(lines) <= 7  # header, 4 to 5 months, total: not 121 days
    assert today.strftime("%Y-%m") in lines[-2] and "12,50" in lines[-2]
    html = client.get(f"/dashboard/?date_from={start}&date_to={today.isoformat()}").content.decode()
    assert "<svg" in html and "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_the_pick_up_delay_is_the_wait_of_the_orders_collected_in_the_period(
    shop, eager_celery, django_capture_on_commit_callbacks
):
    from orders.models import OrderStatus, OrderStatusChange
    from orders.services import pickup
    from reporting.models import PickupFact

    from .test_sales import click_and_collect

    with django_capture_on_commit_callbacks(execute=True):
        first, second = click_and_collect((shop.mug, 1)), click_and_collect((shop.mug, 1))
        for order in (first, second):
            pickup.mark_ready_for_pickup(order=order, user=shop.cashier)
    # the first was ready 3 hours before it was collected, the second 5 hours
    for order, hours in ((first, 3), (second, 5)):
        OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.READY_FOR_PICKUP).update(
            created_at=timezone.now() - dt.timedelta(hours=hours)
        )
    with django_capture_on_commit_callbacks(execute=True):  # collecting owes the refresh: no call here
        for order in (first, second):
            pickup.collect_order(order=order, user=shop.cashier)
    assert PickupFact.objects.count() == 2
    today = timezone.localdate()
    figures = overview(Period(today, today), Scope()).current
    assert figures.pickup_hours == Decimal("4.0")
    assert overview(Period(today, today), Scope(location_id=shop.warehouse.pk)).current.pickup_hours is None
    assert facts.check().ok
