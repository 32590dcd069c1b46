"""The stock report against hand-computed figures: stock received with cost prices, sold at the
Ajaccio till (one sale three days ago, replayed offline) and on the web, one unit returned at the till;
every mug of Ajaccio sold (a stock-out); the other stores' mugs suggested to Ajaccio."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import Role
from inventory.models import Location, StockLevel
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from reporting import facts
from reporting.access import Scope
from reporting.models import SalesFact
from reporting.periods import Period
from reporting.selectors.stock import StockParams, stock_report
from tests.factories import UserFactory

from .conftest import till_return, web_order

# The stock and customers reports are PostgreSQL SQL (the demo's SQLite gets what it can run).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

D = Decimal


def sell(shop, lines, cash, *, days_ago=0, customer=None):
    """A till sale at Ajaccio, ``days_ago`` days back (replayed from the offline queue)."""
    return record_sale(
        session=shop.session,
        user=shop.cashier,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku=sku, quantity=quantity) for sku, quantity in lines],
        tenders=[TenderInput(kind="cash", amount=D(cash))],
        customer=customer,
        offline=bool(days_ago),
        sold_at=timezone.now() - dt.timedelta(days=days_ago),
    ).order


@pytest.fixture
def stocked(shop):
    """Levels (make_shop + the fixture's 50 + 50 at Ajaccio): WEB tee 5 mug 2, AJA tee 52 mug 50,
    BAS tee 2 mug 1, PRO tee 9 mug 9. The tee costs 4.00 HT, the mug has no cost."""
    shop.tee.cost_price_ht = D("4.00")
    shop.tee.save()
    old = sell(shop, [("TEE", 2)], "25.00", days_ago=3)
    till_return(shop, old, [("TEE", 1)])  # back on the Ajaccio shelf: AJA tee 51
    mugs = sell(shop, [("MUG", 50)], "300.00")  # AJA mug 0: a stock-out today
    web = web_order((shop.tee, 1))  # ships from the warehouse
    facts.refresh_orders([old.pk, mugs.pk, web.pk])
    shop.bas = Location.objects.get(code="BAS")
    shop.pro = Location.objects.get(code="PRO")
    shop.web = web
    return shop


def rows(table, key="location"):
    return {row[key]: row for row in table.rows}


def test_value_cover_and_rotation_per_location(stocked):
    shop = stocked
    assert SalesFact.objects.filter(order=shop.web).values_list("location__code", flat=True)[0] == "WEB"
    today = timezone.localdate()
    web_tee = StockLevel.objects.get(variant=shop.tee, location=shop.warehouse)
    assert web_tee.on_hand - web_tee.reserved == 4
    period = Period(today - dt.timedelta(days=5), today)
    report = stock_report(scope=Scope(), period=period, params=StockParams())
    by = rows(report.by_location)
    assert set(by) == {"Ajaccio", "Bastia", "Propriano", "Warehouse"}
    aja = by["Ajaccio"]
    # 51 tees x 4.00; sold in 28 days: 2 tees + 50 mugs = 52 (the return does not lower demand)
    assert (aja["on_hand"], aja["variants"], aja["value"], aja["no_cost"]) == (51, 1, D("204.00"), 0)
    assert (aja["window_units"], aja["daily_rate"], aja["cover_days"]) == (52, D("1.86"), D("27.5"))
    assert (aja["period_units"], aja["rotation"]) == (52, D("1.02"))  # 52 / 51 on hand
    bas = by["Bastia"]
    assert (bas["on_hand"], bas["value"], bas["no_cost"], bas["window_units"], bas["cover_days"]) == (
        3, D("8.00"), 1, 0, None,
    )  # fmt: skip
    pro = by["Propriano"]
    assert (pro["on_hand"], pro["value"], pro["no_cost"], pro["rotation"]) == (18, D("36.00"), 9, D("0.00"))
    ware = by["Warehouse"]
    assert (ware["value"], ware["no_cost"], ware["window_units"]) == (D("4.00") * web_tee.on_hand, 2, 1)
    total = report.by_location.total
    assert (total["on_hand"], total["value"], total["no_cost"], total["window_units"]) == (
        ware["on_hand"] + 72, D("248.00") + ware["value"], 12, 53,
    )  # fmt: skip


def test_dead_stock_is_stock_without_a_sale_in_the_window(stocked):
    today = timezone.localdate()
    report = stock_report(scope=Scope(), period=Period(today, today), params=StockParams(dead_days=90))
    dead = {(row["sku"], row["location"]): row for row in report.dead.rows}
    # Ajaccio sold both (its mug is at zero anyway), the warehouse sold a tee: the rest never sold
    assert set(dead) == {("TEE", "Bastia"), ("MUG", "Bastia"), ("TEE", "Propriano"), ("MUG", "Propriano"),
                         ("MUG", "Warehouse")}  # fmt: skip
    assert dead[("TEE", "Propriano")]["value"] == D("36.00")
    assert dead[("MUG", "Propriano")]["value"] is None  # no cost: never valued at zero
    assert dead[("TEE", "Bastia")]["last_sale"] is None
    assert [(row["sku"], row["location"]) for row in report.dead.rows][:2] == [
        ("TEE", "Propriano"), ("TEE", "Bastia"),
    ]  # fmt: skip
    assert (report.dead.total["on_hand"], report.dead.total["value"]) == (2 + 1 + 9 + 9 + 2, D("44.00"))


def test_a_stock_out_costs_days_at_zero_times_the_rate_before(stocked):
    today = timezone.localdate()
    later = today + dt.timedelta(days=10)
    # the period covers the ten days after the mugs ran out (today): 10 days x 50 / 28 a day
    report = stock_report(scope=Scope(), period=Period(today, later), params=StockParams(), today=later)
    assert [
        (r["sku"], r["location"], r["since"], r["days"], r["daily_rate"], r["lost_units"])
        for r in report.stockouts.rows
    ] == [("MUG", "Ajaccio", today, 10, D("1.79"), D("17.9"))]
    half = stock_report(
        scope=Scope(), period=Period(today + dt.timedelta(days=6), later), params=StockParams(), today=later
    )
    assert (half.stockouts.rows[0]["days"], half.stockouts.rows[0]["lost_units"]) == (5, D("8.9"))
    # seen today, the stock-out has no day at zero yet
    assert stock_report(scope=Scope(), period=Period(today, today), params=StockParams()).stockouts.rows == []


def test_transfers_take_from_overstocked_locations_for_the_short_one(stocked):
    today = timezone.localdate()
    report = stock_report(scope=Scope(), period=Period(today, today), params=StockParams())
    # AJA mug: 0 available, 50 sold in 28 days -> needs 50; givers keep 90 days of their (nil) demand
    assert [(r["sku"], r["from"], r["to"], r["quantity"]) for r in report.transfers.rows] == [
        ("MUG", "Propriano", "Ajaccio", 9),
        ("MUG", "Warehouse", "Ajaccio", 2),
        ("MUG", "Bastia", "Ajaccio", 1),
    ]
    assert report.transfers.total["quantity"] == 12
    assert report.transfers.rows[0]["to_cover"] == D("0.0") and report.transfers.rows[0]["from_cover"] is None


def test_a_store_manager_sees_their_store_and_its_transfers(stocked):
    shop = stocked
    today = timezone.localdate()
    bas = Scope(location_id=shop.bas.pk)
    report = stock_report(scope=bas, period=Period(today, today), params=StockParams())
    assert [row["location"] for row in report.by_location.rows] == ["Bastia"]
    assert report.by_location.total is None
    assert {row["location"] for row in report.dead.rows} == {"Bastia"}
    assert [(r["from"], r["to"], r["quantity"]) for r in report.transfers.rows] == [("Bastia", "Ajaccio", 1)]
    aja_scope = Scope(location_id=shop.aja.pk)
    aja = stock_report(scope=aja_scope, period=Period(today, today), params=StockParams())
    assert aja.transfers.total["quantity"] == 12


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.MANAGER, 200), (Role.STORE_MANAGER, 200), (Role.STAFF, 403), (Role.CASHIER, 403)],
)
def test_the_page_and_the_api_by_role(stocked, client, role, expected):
    client.force_login(UserFactory(role=role, store=stocked.bas))
    assert client.get("/dashboard/stock/").status_code == expected
    response = client.get("/api/v1/reports/stock/")
    assert response.status_code == expected
    if expected == 200:
        locations = response.json()["tables"]["locations"]["rows"]
        assert len(locations) == (4 if role == Role.MANAGER else 1)
    else:
        assert response.json()["code"] == "reports_forbidden"


def test_bad_parameters_are_a_400_naming_the_field(stocked, client):
    client.force_login(UserFactory(role=Role.MANAGER))
    bad = [
        ("window=0", "window"),
        ("window=abc", "window"),
        ("under_days=100", "under_days"),
        ("date_from=2026-02-30&date_to=2026-03-01", "date_from"),
        ("dead_days=", "dead_days"),
    ]
    for query, field in bad:
        api = client.get(f"/api/v1/reports/stock/?{query}")
        assert api.status_code == 400 and field in api.json()["detail"], (query, api.json())
        if query != "dead_days=":  # the page's form sends an empty knob: the default
            page = client.get(f"/dashboard/stock/?{query}")
            assert page.status_code == 400 and field in page.content.decode(), query
    assert client.get("/dashboard/stock/?export=pdf").status_code == 400
    assert client.get("/dashboard/stock/?export=csv&table=nope").status_code == 400


def test_every_table_exports_and_opens_in_openpyxl(stocked, client):
    from openpyxl import load_workbook

    client.force_login(UserFactory(role=Role.MANAGER))
    page = client.get("/dashboard/stock/")
    assert page.status_code == 200
    assert "table=transfers" in page.content.decode()
    for table in ("locations", "dead", "stockouts", "transfers"):
        response = client.get(f"/dashboard/stock/?export=xlsx&table={table}")
        assert response.status_code == 200
        assert load_workbook(io.BytesIO(response.content)).active.max_row >= 1
    content = client.get("/dashboard/stock/?export=xlsx&table=transfers").content
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[2]][:3] == ["MUG", "Mug", "Propriano"] and sheet.cell(2, 7).value == 9
    csv = client.get("/dashboard/stock/?export=csv&table=locations").content.decode("utf-8-sig")
    assert "Ajaccio;51;1;204,00;0;52;1,86;27,5;" in csv


def test_the_report_is_a_fixed_number_of_queries(stocked, client, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.MANAGER))
    with django_assert_max_num_queries(14):
        assert client.get("/api/v1/reports/stock/").status_code == 200


def test_the_report_is_computed_at_most_every_few_minutes_per_scope(
    stocked, client, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.clear()
    settings.REPORTING_STOCK_CACHE_SECONDS = 300
    client.force_login(UserFactory(role=Role.MANAGER))
    first = client.get("/api/v1/reports/stock/").json()
    with django_assert_max_num_queries(6):  # session, user, permissions: not one stock query
        again = client.get("/api/v1/reports/stock/").json()
    assert again == first and again["computed_at"] == first["computed_at"]
    other = client.get("/api/v1/reports/stock/?window=7").json()  # other knobs: computed afresh
    assert other["params"]["window"] == 7 and other["computed_at"] != first["computed_at"]
    page = client.get("/dashboard/stock/").content.decode()
    assert "Stock as of" in page or "Stock au" in page
    cache.clear()


def test_beat_warms_the_report_pages_open_first_so_no_one_waits_for_a_cold_one(
    stocked, client, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    from reporting import tasks

    cache.clear()
    settings.REPORTING_STOCK_CACHE_SECONDS = 300
    warmed = tasks.warm_stock_reports.apply().get(timeout=30)
    assert warmed == 1 + Location.objects.filter(is_active=True).count()  # the chain and each location
    manager = UserFactory(role=Role.MANAGER)
    client.force_login(manager)
    with django_assert_max_num_queries(6):  # session, user, permissions: not one stock query
        first = client.get("/api/v1/reports/stock/").json()
    client.force_login(UserFactory(role=Role.STORE_MANAGER, store=stocked.aja))
    with django_assert_max_num_queries(6):  # a store manager's store: warmed too
        assert client.get("/api/v1/reports/stock/").status_code == 200
    tasks.warm_stock_reports.apply().get(timeout=30)  # the next beat computes it again
    client.force_login(manager)
    assert client.get("/api/v1/reports/stock/").json()["computed_at"] > first["computed_at"]
    # beat runs it before the cached report expires
    schedule = django_settings.CELERY_BEAT_SCHEDULE["reporting-warm-stock"]["schedule"]
    assert schedule < django_settings.REPORTING_STOCK_CACHE_SECONDS
    cache.clear()
