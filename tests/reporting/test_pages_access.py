"""Who gets the dashboard: managers (every store), store managers (theirs), no one else."""

from __future__ import annotations

import pytest

from accounts.models import Role
from reporting.access import ReportForbidden, scope_for
from reporting.periods import BadPeriod, parse_period
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.MANAGER, 200),
        (Role.STORE_MANAGER, 200),
        (Role.STAFF, 403),
        (Role.CASHIER, 403),
        (Role.SHOPPER, 403),
    ],
)
def test_the_overview_page_by_role(client, role, expected):
    store = LocationFactory(code="AJA")
    user = UserFactory(role=role, store=store)
    client.force_login(user)
    assert client.get("/dashboard/").status_code == expected


def test_scopes_and_anonymous(client):
    store = LocationFactory(code="AJA")
    assert scope_for(UserFactory(role=Role.MANAGER)).chain
    assert scope_for(UserFactory(role=Role.STORE_MANAGER, store=store)).location_id == store.pk
    with pytest.raises(ReportForbidden):
        scope_for(UserFactory(role=Role.STORE_MANAGER, store=None))  # a store manager without a store
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_periods_across_daylight_saving_and_bad_input():
    import datetime as dt

    period = parse_period({"date_from": "2026-03-23", "date_to": "2026-03-29"})  # DST on the 29th
    assert period.days == 7 and period.previous().start == dt.date(2026, 3, 16)
    assert parse_period({"date_from": "2024-02-29", "date_to": "2024-02-29"}).last_year().start == dt.date(
        2023, 2, 28
    )
    assert parse_period({"period": "week"}, today=dt.date(2026, 11, 29)).start == dt.date(2026, 11, 23)
    for bad in ({"date_from": "2026-13-01", "date_to": "2026-12-01"}, {"date_from": "2020-01-01",
                "date_to": "2025-06-01"}, {"date_from": "2026-02-01", "date_to": "2026-01-01"},
                {"period": "decade"}):  # fmt: skip
        with pytest.raises(BadPeriod):
            parse_period(bad)


def test_a_bad_period_on_a_page_is_a_400_naming_the_field(client):
    client.force_login(UserFactory(role=Role.MANAGER))
    response = client.get("/dashboard/?date_from=2026-02-30&date_to=2026-03-01")
    assert response.status_code == 400 and "date_from" in response.content.decode()
