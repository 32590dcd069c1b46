"""Issued documents never change: the database refuses UPDATE and DELETE of invoices, their lines
and their PDFs, through the ORM and through raw SQL, on PostgreSQL and on SQLite. The whole-database
flush between transactional tests still empties the tables (TRUNCATE on PostgreSQL; on SQLite the
project's flush command)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from invoicing.models import Invoice, InvoiceLine, InvoicePdf
from invoicing.services.daily_run import run_day
from tests.invoicing.conftest import today


@pytest.fixture
def issued(shop, customer, web_order):
    web_order(customer, [(shop.tee, 2)], shipping="4.90")
    run_day(business_date=today())
    invoice = Invoice.objects.get()
    # With eager Celery (no REDIS_URL) the outbox already rendered it; else a stand-in row.
    InvoicePdf.objects.get_or_create(
        invoice=invoice, defaults={"file": "invoices/x.pdf", "sha256": "0" * 64, "size": 10}
    )
    return invoice


def _refused(operation) -> None:
    with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
        operation()


def _state() -> list:
    return [
        list(Invoice.objects.values_list("number", "customer_name", "total_gross")),
        list(InvoiceLine.objects.values_list("id", "label", "total_gross")),
        list(InvoicePdf.objects.values_list("id", "sha256")),
    ]


@pytest.mark.django_db
def test_the_orm_cannot_update_or_delete_an_issued_document(issued):
    before = _state()
    line = issued.lines.first()
    assert line is not None

    def save_changed() -> None:
        issued.customer_name = "Someone else"
        issued.save()

    _refused(save_changed)
    _refused(lambda: Invoice.objects.filter(pk=issued.pk).update(total_gross=0))
    _refused(lambda: InvoiceLine.objects.filter(pk=line.pk).update(label="changed"))
    _refused(lambda: InvoicePdf.objects.filter(invoice=issued).update(sha256="1" * 64))
    _refused(lambda: InvoicePdf.objects.filter(invoice=issued).delete())
    _refused(lambda: InvoiceLine.objects.filter(pk=line.pk).delete())
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE invoicing_invoice SET total_gross = 0",
        "UPDATE invoicing_invoiceline SET total_gross = 0",
        "UPDATE invoicing_invoicepdf SET sha256 = 'x'",
        "DELETE FROM invoicing_invoicepdf",
        "DELETE FROM invoicing_invoiceline",
    ],
)
def test_raw_sql_cannot_update_or_delete_an_issued_document(issued, sql):
    before = _state()

    def execute() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    _refused(execute)
    assert _state() == before


@pytest.mark.django_db
def test_a_document_can_be_deleted_by_no_one_not_even_with_its_lines_first(issued):
    def delete_all() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM invoicing_invoicepdf")
            cursor.execute("DELETE FROM invoicing_invoiceline")
            cursor.execute("DELETE FROM invoicing_invoice")

    _refused(delete_all)
    assert Invoice.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_whole_database_flush_still_empties_the_tables(issued):
    """What pytest-django does after every transactional test (a failure here would break them all)."""
    assert Invoice.objects.count() == 1
    call_command("flush", interactive=False, verbosity=0)
    assert not Invoice.objects.exists()
    assert not InvoiceLine.objects.exists() and not InvoicePdf.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_flush_a_committed_document_stays(issued):
    """Committed for real (no test transaction around it): still refused."""
    _refused(lambda: InvoicePdf.objects.filter(invoice=issued).delete())
    _refused(lambda: Invoice.objects.filter(pk=issued.pk).update(customer_name="x"))
    assert Invoice.objects.get(pk=issued.pk).customer_name == issued.customer_name
    assert InvoicePdf.objects.filter(invoice=issued).exists()


@pytest.mark.django_db(transaction=True)
def test_one_flush_empties_both_append_only_tables(issued, shop, till_sale):
    """Invoices and the till journal both refuse DELETE on SQLite: the one ``flush`` Django runs
    (the first app's in INSTALLED_APPS: invoicing's, which extends pos's) empties both."""
    from django.core.management import get_commands

    from pos.journal_models import JournalEntry

    till_sale(None, [("MUG", 1)], [("cash", "6.00")])
    assert JournalEntry.objects.exists() and Invoice.objects.exists()
    assert get_commands()["flush"] == "invoicing"

    call_command("flush", interactive=False, verbosity=0)

    assert not JournalEntry.objects.exists() and not Invoice.objects.exists()
