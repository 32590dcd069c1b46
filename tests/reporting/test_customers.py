"""The customers and loyalty report against hand-computed figures. Last month Ana and Ben buy at the
Ajaccio till (replayed offline with last month's time); this month Ana comes back (till and web, then
returns a tee), Cleo buys for the first time, someone buys anonymously. Ben gets 100 points from staff
and turns them into a voucher."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from inventory.models import Location
from loyalty import services as loyalty
from loyalty.models import LoyaltyAccount, Tier
from reporting import facts
from reporting.access import Scope
from reporting.periods import Period
from reporting.selectors.customers import customers_report
from tests.factories import UserFactory

from .conftest import till_return, web_order
from .test_stock import sell

# The stock and customers reports are PostgreSQL SQL (the demo's SQLite gets what it can run).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

D = Decimal


@pytest.fixture(autouse=True)
def default_tiers_and_rule(db):
    """Silver / gold / platinum and 1 point per euro (data migration 0002), as the loyalty tests do."""
    from django.apps import apps

    importlib.import_module("loyalty.migrations.0002_default_tiers_and_rule").seed(apps, None)


def last_month_days(today: dt.date) -> int:
    """How many days back the 10th of last month is."""
    return (today - (today.replace(day=1) - dt.timedelta(days=1)).replace(day=10)).days


@pytest.fixture
def bought(shop):
    today = timezone.localdate()
    ana, ben, cleo = (UserFactory(email=f"{n}@example.com", role=Role.SHOPPER) for n in ("ana", "ben", "cl"))
    back = last_month_days(today)
    orders = [
        sell(shop, [("TEE", 1)], "12.50", days_ago=back, customer=ana),  # 12 points
        sell(shop, [("MUG", 1)], "6.00", days_ago=back, customer=ben),  # 6 points
    ]
    ana_today = sell(shop, [("TEE", 2)], "25.00", customer=ana)  # 25 points
    orders += [
        ana_today,
        web_order((shop.mug, 1), user=ana),  # points at delivery: none yet
        sell(shop, [("MUG", 1)], "6.00", customer=cleo),  # 6 points
        sell(shop, [("TEE", 1)], "12.50"),  # anonymous
    ]
    till_return(shop, ana_today, [("TEE", 1)])  # 12.50 back; 12.5 of 25 points -> 13 taken back
    loyalty.adjust(customer=ben, points=100, reason="Goodwill", staff=None)
    loyalty.convert_points_to_voucher(customer=ben, key="k1")  # 100 points
    # Ana reached gold (the nightly review would do it at 800 EUR; set here, after her purchases)
    LoyaltyAccount.objects.filter(customer=ana).update(tier=Tier.objects.get(code="gold"))
    facts.refresh_orders([o.pk for o in orders])
    shop.customers = (ana, ben, cleo)
    return shop


def this_month() -> Period:
    today = timezone.localdate()
    return Period(today.replace(day=1), today)


def by(table, key):
    return {row[key]: row for row in table.rows}


def test_new_returning_and_anonymous_in_the_period(bought):
    report = customers_report(scope=Scope(), period=this_month())
    groups = by(report.groups, "group")
    figures = {k: (v["customers"], v["orders"], v["revenue"], v["revenue_share"]) for k, v in groups.items()}
    assert figures == {
        "New customers": (1, 1, D("6.00"), D("0.1622")),  # Cleo: 6 / 37
        "Returning customers": (1, 2, D("18.50"), D("0.5000")),  # Ana: 25 - 12.50 + 6 (web)
        "Anonymous sales": (None, 1, D("12.50"), D("0.3378")),
    }
    assert groups["Returning customers"]["per_customer"] == D("18.50")
    assert report.groups.total["revenue"] == D("37.00") and report.groups.total["customers"] == 2
    assert report.summary == {
        "customers": 2, "new": 1, "returning": 1, "repeat_rate": D("0.5000"),  # Ana: 2 orders
        "anonymous_orders": 1, "anonymous_revenue": D("12.50"), "identified_share": D("0.7500"),
    }  # fmt: skip


def test_cohorts_across_two_months(bought):
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    report = customers_report(scope=Scope(), period=Period(start, today))
    rows = by(report.cohorts, "month")
    last, this = start.strftime("%Y-%m"), today.strftime("%Y-%m")
    assert list(rows) == [last, this]
    # last month: Ana and Ben; Ana bought again the month after
    assert (rows[last]["size"], rows[last]["m1"], "m2" in rows[last]) == (2, D("0.5000"), False)
    assert (rows[this]["size"], "m1" in rows[this]) == (1, False)  # Cleo; next month has not come


def test_tiers_and_their_share_of_revenue(bought):
    tiers = by(customers_report(scope=Scope(), period=this_month()).tiers, "tier")
    assert list(tiers) == ["Platinum", "Gold", "Silver", "No tier", "Anonymous sales"]
    assert (tiers["Gold"]["customers"], tiers["Gold"]["revenue"], tiers["Gold"]["revenue_share"]) == (
        1, D("18.50"), D("0.5000"),
    )  # fmt: skip
    assert (tiers["No tier"]["customers"], tiers["No tier"]["revenue"]) == (1, D("6.00"))
    assert (tiers["Silver"]["customers"], tiers["Silver"]["revenue"]) == (0, D("0"))
    assert tiers["Anonymous sales"]["revenue"] == D("12.50")


def test_points_issued_redeemed_outstanding_and_the_liability(bought):
    report = customers_report(scope=Scope(), period=this_month())
    assert report.loyalty is not None
    # earned 12 + 6 + 25 + 6 (the ledger's date is the earning's, today) + 100 adjusted
    assert {k: report.loyalty[k] for k in ("issued", "redeemed", "reversed", "expired", "outstanding")} == {
        "issued": 149, "redeemed": 100, "reversed": 13, "expired": 0, "outstanding": 24 + 6 + 6,
    }  # fmt: skip
    assert report.loyalty["liability_eur"] == D("1.80")  # 36 points x 5 EUR / 100
    points = by(report.points, "movement")
    assert (points["Earned"]["credit"], points["Reversed"]["debit"], points["Redeemed"]["eur"]) == (
        49, 13, D("-5.00"),
    )  # fmt: skip
    assert (report.points.total["net"], report.points.total["eur"]) == (36, D("1.80"))


def test_a_store_manager_sees_their_stores_customers_and_no_liability(bought, client):
    shop = bought
    report = customers_report(scope=Scope(location_id=shop.aja.pk), period=this_month())
    groups = by(report.groups, "group")
    assert groups["Returning customers"]["orders"] == 1  # Ana's web order ships from the warehouse
    assert groups["Returning customers"]["revenue"] == D("12.50")
    assert report.loyalty is None and report.points is None and "points" not in report.tables()
    bastia = Location.objects.get(code="BAS")
    client.force_login(UserFactory(role=Role.STORE_MANAGER, store=bastia))
    body = client.get("/api/v1/reports/customers/").json()
    assert body["loyalty"] is None and body["summary"]["customers"] == 0 and "points" not in body["tables"]
    page = client.get("/dashboard/customers/")
    assert page.status_code == 200 and "Loyalty liability" not in page.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.MANAGER, 200), (Role.STORE_MANAGER, 200), (Role.STAFF, 403), (Role.CASHIER, 403)],
)
def test_the_page_and_the_api_by_role(bought, client, role, expected):
    client.force_login(UserFactory(role=role, store=bought.aja))
    assert client.get("/dashboard/customers/").status_code == expected
    response = client.get("/api/v1/reports/customers/")
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["code"] == "reports_forbidden"
    elif role == Role.MANAGER:
        assert response.json()["loyalty"]["liability_eur"] == "1.80"
        assert response.json()["summary"]["customers"] == 2


def test_bad_period_is_a_400_and_tables_export(bought, client, settings):
    settings.LANGUAGE_CODE = "en"  # the back office speaks French by default; this test reads English
    from openpyxl import load_workbook

    client.force_login(UserFactory(role=Role.MANAGER))
    response = client.get("/api/v1/reports/customers/?date_from=2026-01-10&date_to=2026-01-01")
    assert response.status_code == 400 and "date_to" in response.json()["detail"]
    assert client.get("/api/v1/reports/customers/?period=decade").json()["detail"].keys() == {"period"}
    assert client.get("/dashboard/customers/?date_from=x&date_to=2026-01-01").status_code == 400
    page = client.get("/dashboard/customers/")
    assert page.status_code == 200 and "Loyalty liability" in page.content.decode()
    for table in ("groups", "cohorts", "tiers", "points"):
        content = client.get(f"/dashboard/customers/?export=xlsx&table={table}").content
        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet.max_row >= 2, table
    content = client.get("/dashboard/customers/?export=xlsx&table=groups").content
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[2]][:4] == ["New customers", 1, 1, 6.0]
    csv = client.get("/dashboard/customers/?export=csv&table=points").content.decode("utf-8-sig")
    assert "Outstanding today (liability);;;36;1,80" in csv


def test_the_report_is_a_fixed_number_of_queries(bought, client, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.MANAGER))
    with django_assert_max_num_queries(14):
        assert client.get("/api/v1/reports/customers/").status_code == 200
