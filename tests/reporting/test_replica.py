"""REPORTING_DATABASE_URL: the dashboard reads from a read replica, the facts are written to the primary.

The settings' ``"TEST": {"MIRROR": "default"}`` is right for every other test: with a replica
configured, a test's reads must see the rows the test just wrote, so the replica alias is the test
database itself. But a mirror is the same database: it cannot show where a read went. Here the
``reporting`` alias points at a real second database (a schema copy of the test database, made with
``pg_dump --schema-only``): a row put only in the "replica" shows through the routed reads, and the
facts ``refresh_orders`` writes land only on the primary.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import connections

from bench._common import create_database, database_url, drop_database
from reporting import facts
from reporting.db import ALIAS, ReportingRouter, read_alias
from reporting.models import ReportChannel, SalesDay, SalesFact
from tests.integrations.exports.conftest import till_sale

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker):
    """A second database with the primary's schema, mounted as the ``reporting`` alias."""
    if not settings.IS_POSTGRES or ALIAS in settings.DATABASES:
        pytest.skip("needs PostgreSQL and no REPORTING_DATABASE_URL of its own")
    primary = connections["default"].settings_dict
    name = f"{primary['NAME']}_replica"[:63]
    primary_url = database_url(primary)
    replica_url = database_url({**primary, "NAME": name})
    create_database(replica_url)
    schema = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", "--dbname", _libpq(primary_url)],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(
        ["psql", "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", _libpq(replica_url)],
        input=schema,
        check=True,
        capture_output=True,
    )
    entry = {**primary, "NAME": name, "TEST": {**primary.get("TEST", {}), "NAME": name, "MIRROR": None}}
    settings.DATABASES[ALIAS] = entry
    connections.settings[ALIAS] = entry
    try:
        yield ALIAS
    finally:
        with django_db_blocker.unblock():
            connections[ALIAS].close()
        del connections[ALIAS]
        connections.settings.pop(ALIAS, None)  # settings.DATABASES may be the same dict
        settings.DATABASES.pop(ALIAS, None)
        drop_database(replica_url)


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@pytest.mark.django_db(databases=["default", "reporting"])
def test_reads_go_to_the_replica_and_facts_to_the_primary(replica, shop):
    assert read_alias() == "reporting"
    yesterday = dt.date.today() - dt.timedelta(days=1)
    # What replication would have brought: a day only the replica has.
    SalesDay.objects.using(replica).create(day=yesterday, channel=ReportChannel.WEB, revenue_ttc=D("99.00"))

    sale = till_sale(shop, [("TEE", 2)], [("card", "25.00")])
    facts.refresh_orders([sale.pk])

    # Writes: on the primary only.
    assert SalesFact.objects.using("default").filter(order_id=sale.pk).count() == 1
    assert SalesDay.objects.using("default").get().revenue_ttc == D("25.00")
    assert not SalesFact.objects.using(replica).exists()
    # Reads without a database named (what every page and API does): the replica's rows.
    assert list(SalesDay.objects.values_list("day", "revenue_ttc")) == [(yesterday, D("99.00"))]
    assert not SalesFact.objects.exists()
    assert SalesDay.objects.all().db == replica
    # Business tables read with read_alias() go there too (the replica has no orders).
    from orders.models import Order

    assert Order.objects.using(read_alias()).count() == 0
    assert Order.objects.count() == 1


def test_without_a_replica_everything_is_the_default(monkeypatch):
    monkeypatch.delitem(settings.DATABASES, ALIAS, raising=False)  # whatever this run configured
    assert read_alias() == "default"
    assert ReportingRouter().db_for_read(SalesDay) is None  # Django's default: "default"
    assert ReportingRouter().db_for_write(SalesDay) == "default"
