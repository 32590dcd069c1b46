"""Two uploads of the same ERP file at once: each invoice is issued once, the other upload reports it
as already imported (the unique ERP number decides, not a prior read)."""

import pytest

from invoicing.models import Invoice, InvoiceLine
from invoicing.services.erp_import import import_erp_invoices
from tests.accounts.portal_support import shopper
from tests.concurrency import in_threads
from tests.invoicing.portal_support import erp_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_imports_of_one_file_at_once_issue_each_invoice_once():
    shopper(email="ana@example.com")
    data = erp_file([f"ERP-{n};02/03/2026;ana@example.com;Miel;{n};7,33;5,5" for n in range(1, 21)])

    reports = in_threads(2, lambda _i: import_erp_invoices(data=data, filename="export.csv"))

    assert all(report.ok for report in reports)
    imported = sorted(reports[0].imported + reports[1].imported)
    skipped = sorted(reports[0].already_imported + reports[1].already_imported)
    expected = sorted(f"ERP-{n}" for n in range(1, 21))
    assert imported == expected and skipped == expected
    assert Invoice.objects.count() == 20
    assert InvoiceLine.objects.count() == 20
