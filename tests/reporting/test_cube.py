"""The cube (``reporting.cube``): a breakdown read from whole months of the cube equals the same
breakdown read from the facts, the cube follows every refresh (sales, returns, cancellations), a
rebuild writes the same rows, ``check_reports`` names a tampered row, and concurrent refreshes of
different orders sharing cube rows neither deadlock nor lose a sale (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.db import close_old_connections
from django.utils import timezone

from reporting import cube, facts
from reporting.access import Scope
from reporting.models import CubeDimension, CustomerDay, SalesCube
from reporting.periods import Period
from reporting.selectors import sales
from tests.concurrency import in_threads
from tests.factories import UserFactory

from .conftest import till_sale
from .test_sales import sold  # noqa: F401  (the hand-computed shop of test_sales)

D = Decimal
d = dt.date


def signed_days(parts: cube.Parts, sign: int = 1) -> Counter[dt.date]:
    """Every day the pieces of ``parts`` hold, counted +1 (or -1 for ``less``) each time."""
    found: Counter[dt.date] = Counter()
    for first, stop in parts.years + parts.months + parts.weeks:
        found.update({first + dt.timedelta(days=i): sign for i in range((stop - first).days)})
    for first, last in parts.days:
        found.update({first + dt.timedelta(days=i): sign for i in range((last - first).days + 1)})
    if parts.less is not None:
        found.update(signed_days(parts.less, -sign))
    return found


@pytest.mark.parametrize(
    ("start", "end", "months", "weeks", "days"),
    [
        # a whole month: the month row alone
        (d(2026, 3, 1), d(2026, 3, 31), [(d(2026, 3, 1), d(2026, 4, 1))], [], []),
        # the year to Sunday 29 November: ten months, then Sunday 1 November alone, then four weeks
        (d(2026, 1, 1), d(2026, 11, 29), [(d(2026, 1, 1), d(2026, 11, 1))],
         [(d(2026, 11, 2), d(2026, 11, 30))], [(d(2026, 11, 1), d(2026, 11, 1))]),
        # mid-December to February: Jan-Feb as months; 15-31 Dec: Mon 21 to Sun 27 a week, the rest days
        (d(2025, 12, 15), d(2026, 2, 28), [(d(2026, 1, 1), d(2026, 3, 1))],
         [(d(2025, 12, 15), d(2025, 12, 29))], [(d(2025, 12, 29), d(2025, 12, 31))]),
        # Tuesday 10 to Friday 20 February: Mon 16 is the only whole week start, and it does not end
        (d(2026, 2, 10), d(2026, 2, 20), [], [], [(d(2026, 2, 10), d(2026, 2, 20))]),
        # a week across two months (Mon 27 Oct to Sun 2 Nov 2025) is one week row
        (d(2025, 10, 27), d(2025, 11, 2), [], [(d(2025, 10, 27), d(2025, 11, 3))], []),
        (d(2026, 1, 31), d(2026, 2, 1), [], [], [(d(2026, 1, 31), d(2026, 2, 1))]),
    ],
)  # fmt: skip
def test_a_period_splits_into_whole_months_weeks_and_days(start, end, months, weeks, days):
    assert cube.split(start, end, years=False) == cube.Parts(months, weeks, days)
    assert signed_days(cube.split(start, end, years=False)) == Counter(
        {start + dt.timedelta(days=i): 1 for i in range((end - start).days + 1)}
    )


@pytest.mark.parametrize(
    ("start", "end", "years", "less"),
    [
        # this year on Sunday 29 November: the year row less Monday 30 November and December
        (d(2026, 1, 1), d(2026, 11, 29), [(d(2026, 1, 1), d(2027, 1, 1))],
         cube.Parts([(d(2026, 12, 1), d(2027, 1, 1))], [], [(d(2026, 11, 30), d(2026, 11, 30))])),
        # a whole year: its row alone
        (d(2025, 1, 1), d(2025, 12, 31), [(d(2025, 1, 1), d(2026, 1, 1))], None),
        # 10 February 2025 to 5 January 2027: 2025 less 1 Jan - 9 Feb, 2026 whole, 1-5 January as days
        (d(2025, 2, 10), d(2027, 1, 5), [(d(2025, 1, 1), d(2026, 1, 1)), (d(2026, 1, 1), d(2027, 1, 1))],
         cube.Parts([(d(2025, 1, 1), d(2025, 2, 1))], [(d(2025, 2, 3), d(2025, 2, 10))],
                    [(d(2025, 2, 1), d(2025, 2, 2))])),
        # January to June: less than half of the year, read as months
        (d(2026, 1, 1), d(2026, 6, 30), [], None),
    ],
)  # fmt: skip
def test_a_period_covering_most_of_a_year_reads_the_year_row_less_the_days_it_leaves_out(
    start, end, years, less
):
    parts = cube.split(start, end)
    assert (parts.years, parts.less) == (years, less)
    assert +signed_days(parts) == Counter(
        {start + dt.timedelta(days=i): 1 for i in range((end - start).days + 1)}
    )
    assert not -signed_days(parts)  # no day taken away more often than it is counted


def month_of_today() -> Period:
    day = timezone.localdate()
    first = day.replace(day=1)
    return Period(first, cube._next_month(first) - dt.timedelta(days=1))


def around_today() -> Period:
    """From the 15th of last month to the end of this one: this month from the cube, the rest facts."""
    first = timezone.localdate().replace(day=1)
    return Period((first - dt.timedelta(days=1)).replace(day=15), month_of_today().end)


def week_of_today() -> Period:
    day = timezone.localdate()
    return Period(day - dt.timedelta(days=day.weekday()), day + dt.timedelta(days=6 - day.weekday()))


def today() -> Period:
    day = timezone.localdate()
    return Period(day, day)


def most_of_this_year(*, with_today: bool) -> Period:
    """From 1 January to today (from today to 31 December in the first half of the year): the year
    row less the days it leaves out. ``with_today=False``: the same stretch short of today."""
    day = timezone.localdate()
    if day.month >= 7:
        return Period(day.replace(month=1, day=1), day if with_today else day - dt.timedelta(days=1))
    return Period(day if with_today else day + dt.timedelta(days=1), day.replace(month=12, day=31))


GROUPS = ("category", "product", "variant", "cashier", "coupon", "hour", "weekday")


@pytest.mark.django_db
def test_the_cube_gives_the_facts_figures_for_every_breakdown(sold):  # noqa: F811
    assert not cube.split(month_of_today().start, month_of_today().end).days  # the cube alone
    assert cube.split(week_of_today().start, week_of_today().end).weeks  # its week rows
    assert not cube.split(today().start, today().end).weeks  # the facts alone
    period = most_of_this_year(with_today=True)
    year = cube.split(period.start, period.end)
    assert year.years and year.less  # the year row less the days left out
    for group_by in GROUPS:
        from_facts = sales.sales_rows(today(), Scope(), group_by)
        assert from_facts, group_by
        assert sales.sales_rows(most_of_this_year(with_today=True), Scope(), group_by) == from_facts
        # today's sales taken back off the year row: nothing left, not rows of zeros
        assert sales.sales_rows(most_of_this_year(with_today=False), Scope(), group_by) == [], group_by
        assert sales.sales_rows(month_of_today(), Scope(), group_by) == from_facts, group_by
        assert sales.sales_rows(around_today(), Scope(), group_by) == from_facts, group_by
        assert sales.sales_rows(week_of_today(), Scope(), group_by) == from_facts, group_by
        store = Scope(location_id=sold.aja.pk)
        in_store = sales.sales_rows(today(), store, group_by)
        assert sales.sales_rows(month_of_today(), store, group_by) == in_store
        assert sales.sales_rows(most_of_this_year(with_today=True), store, group_by) == in_store
    assert sales.category_rows(month_of_today(), Scope()) == sales.category_rows(today(), Scope())
    assert sales.category_rows(most_of_this_year(with_today=True), Scope()) == sales.category_rows(
        today(), Scope()
    )
    assert sales.hour_weekday_matrix(month_of_today(), Scope()) == sales.hour_weekday_matrix(today(), Scope())
    assert sales.coupon_uplift(month_of_today(), Scope()) == sales.coupon_uplift(today(), Scope())
    root = sold.categories[0]
    parent = SalesCube.objects.get(dimension=CubeDimension.CATEGORY, ref=root.pk, channel="store", grain="m")
    assert (parent.orders, parent.units_sold, parent.units_returned) == (1, 3, -1)  # one order, two children


@pytest.mark.django_db
def test_the_cube_follows_refreshes_and_a_rebuild_writes_the_same_rows(sold):  # noqa: F811
    def rows():
        return sorted(
            SalesCube.objects.values_list(
                "dimension",
                "grain",
                "start",
                "location_key",
                "channel",
                "ref",
                "code",
                "orders",
                "units",
                "revenue_ttc",
                "cost_ht",
            )  # fmt: skip
        )

    before_sale = rows()
    customer = UserFactory()
    sale = till_sale(sold, [("MUG", 1)], [("cash", "6.00")], customer=customer)
    facts.refresh_orders([sale.pk])
    assert CustomerDay.objects.get(customer=customer).orders == 1
    assert rows() != before_sale
    assert facts.check().ok
    incremental = rows()
    facts.rebuild()
    assert rows() == incremental
    # an order that stops counting (its facts go) takes its share back, rows of zeros removed
    type(sale).objects.filter(pk=sale.pk).update(channel="web", status="pending")
    facts.refresh_orders([sale.pk])
    assert not CustomerDay.objects.filter(customer=customer).exists()
    assert rows() == before_sale
    assert facts.check().ok


@pytest.mark.django_db
def test_check_names_a_tampered_cube_row(sold):  # noqa: F811
    row = SalesCube.objects.filter(dimension=CubeDimension.PRODUCT).first()
    SalesCube.objects.filter(pk=row.pk).update(revenue_ttc=D("999.99"))
    report = facts.check()
    assert any(p.startswith("cube product") and "999.99" in p for p in report.problems), report.problems
    facts.rebuild()
    assert facts.check().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_sharing_cube_rows_lose_nothing(shop):
    orders = [till_sale(shop, [("TEE", 1), ("MUG", 1)], [("cash", "18.50")]) for _ in range(8)]
    facts.rebuild()
    SalesCube.objects.all().delete()  # every refresh below adds its order's whole share again

    def refresh(i):
        try:
            facts.refresh_orders([orders[i].pk])
            return "ok"
        finally:
            close_old_connections()

    # each refresh first takes out what the order had (nothing: the cube is empty), then adds it
    from reporting.models import SalesFact

    SalesFact.objects.all().delete()
    assert in_threads(8, refresh) == ["ok"] * 8
    # the store's row, the chain's and the stores' over every location (till sales: no shop)
    for place, shop_key in (
        (shop.aja.pk, cube.STORES),
        (cube.EVERYWHERE, cube.ALL_SHOPS),
        (cube.EVERYWHERE, cube.STORES),
    ):
        tee = SalesCube.objects.get(
            dimension=CubeDimension.VARIANT, ref=shop.tee.pk, location_key=place, shop_key=shop_key, grain="w"
        )
        assert (tee.orders, tee.units_sold, tee.revenue_ttc) == (8, 8, D("100.00"))
    assert facts.check().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_customer_keep_the_first_purchase(shop):
    from pos.models import PosSale
    from reporting.models import CustomerFirst, SalesFact

    customer = UserFactory()
    early, late = (till_sale(shop, [("MUG", 1)], [("cash", "6.00")], customer=customer) for _ in range(2))
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    PosSale.objects.filter(order=early).update(sold_at=ten_days_ago)
    for model in (SalesFact, SalesCube, CustomerDay, CustomerFirst):
        model.objects.all().delete()  # both refreshes below add their order from nothing

    def refresh(i):
        try:
            facts.refresh_orders([(early, late)[i].pk])
            return "ok"
        finally:
            close_old_connections()

    assert in_threads(2, refresh) == ["ok", "ok"]
    first_day = timezone.localtime(ten_days_ago).date()
    assert dict(CustomerFirst.objects.filter(customer=customer).values_list("location_key", "first_day")) == {
        cube.EVERYWHERE: first_day,
        shop.aja.pk: first_day,
    }
    assert facts.check().ok
