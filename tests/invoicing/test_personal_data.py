"""A customer's invoices in their data export, and kept as issued when the account closes."""

from decimal import Decimal

import pytest

from accounts import services as accounts
from invoicing.models import Invoice
from invoicing.services.daily_run import run_day
from tests.invoicing.conftest import today

pytestmark = pytest.mark.django_db


def test_the_export_lists_the_invoices_and_closing_the_account_keeps_them(shop, customer, till_sale):
    customer.set_password("pass-1234-word")
    customer.save()
    till_sale(customer, [("MUG", 2)], [("card", "12.00")])
    run_day(business_date=today())
    invoice = Invoice.objects.get()

    export = accounts.export_customer_data(user=customer)

    assert export["invoices"] == [
        {
            "number": invoice.number,
            "kind": "invoice",
            "issued_on": today().isoformat(),
            "issued_at": export["invoices"][0]["issued_at"],
            "credited_invoice": None,
            "customer_name": "Ana Rossi",
            "billing_address": invoice.billing_address,
            "total_net": "10.00",
            "total_vat": "2.00",
            "total_gross": "12.00",
            "currency": "EUR",
        }
    ]

    accounts.close_account(user=customer, password="pass-1234-word")

    kept = Invoice.objects.get()
    assert (kept.number, kept.customer_name, kept.total_gross) == (
        invoice.number,
        "Ana Rossi",
        Decimal("12.00"),
    )
    assert kept.billing_address == invoice.billing_address
