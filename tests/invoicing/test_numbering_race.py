"""On PostgreSQL, with real threads: documents issued at the same moment take numbers without a
hole (one rolled back on purpose gives its number back), and two runs of the same day at once
issue one set of invoices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from core.models import NumberSequence
from invoicing.models import DocumentKind, Invoice, InvoiceLine, InvoiceQueueEntry, InvoiceRun
from invoicing.services.daily_run import run_day
from invoicing.services.issuing import Customer, Draft, DraftLine, issue_document
from tests.concurrency import in_threads, run_in_threads
from tests.factories import UserFactory
from tests.invoicing.conftest import today

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


class RolledBack(Exception):
    pass


def _draft(i: int, kind: str = DocumentKind.INVOICE) -> Draft:
    return Draft(
        kind=kind,
        origin="daily_run",
        customer=Customer(name=f"Customer {i}", email=f"c{i}@example.com"),
        business_date=today(),
        lines=[
            DraftLine(
                channel="store",
                place="Ajaccio",
                sale_date=today(),
                label=f"Thing {i}",
                quantity=D("1"),
                unit_price_net=D("10.00"),
                vat_rate=D("0.2000"),
                total_net=D("10.00"),
                total_vat=D("2.00"),
                total_gross=D("12.00"),
            )
        ],
    )


def test_numbers_stay_gapless_when_documents_are_issued_in_parallel_and_one_rolls_back(db):
    count, doomed = 8, 3

    def issue(i: int) -> str:
        with transaction.atomic():
            invoice = issue_document(draft=_draft(i), issued_on=today())
            if i == doomed:
                raise RolledBack(invoice.number)
        return invoice.number

    results = run_in_threads(count, issue)

    assert sum(isinstance(r, RolledBack) for r in results) == 1
    year = today().year
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"FA-{year}-{n:06d}" for n in range(1, count)]
    assert sorted(r for r in results if isinstance(r, str)) == numbers
    assert NumberSequence.objects.get(name=f"FA-{year}").last_value == count - 1
    # The rolled-back document left nothing: no lines without their document.
    assert InvoiceLine.objects.count() == count - 1


def test_invoices_and_credit_notes_are_two_series_each_gapless(db):
    def issue(i: int) -> str:
        with transaction.atomic():
            kind = DocumentKind.INVOICE if i % 2 else DocumentKind.CREDIT_NOTE
            return issue_document(draft=_draft(i, kind), issued_on=today()).number

    in_threads(6, issue)

    year = today().year
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        *(f"AV-{year}-{n:06d}" for n in range(1, 4)),
        *(f"FA-{year}-{n:06d}" for n in range(1, 4)),
    ]


def test_two_runs_of_the_same_day_at_once_issue_one_set(shop, web_order, till_sale):
    customers = [UserFactory() for _ in range(3)]
    for i, customer in enumerate(customers):
        web_order(customer, [(shop.tee, 1)])
        till_sale(customer, [("MUG", 1 + i)], [("card", str(6 * (1 + i)))])

    results = in_threads(2, lambda i: run_day(business_date=today()))

    assert sorted(r.already_done for r in results) == [False, True]
    done = next(r for r in results if not r.already_done)
    assert done.invoices == 3
    assert Invoice.objects.count() == 3
    assert sorted(Invoice.objects.values_list("id", flat=True)) == sorted(done.document_ids)
    assert InvoiceRun.objects.count() == 1
    assert not InvoiceQueueEntry.objects.filter(run__isnull=True).exists()
    assert InvoiceLine.objects.count() == 6
