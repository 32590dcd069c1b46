"""The invoices' part of a customer's personal data: exported with the account, kept when it closes.

Registered with ``accounts.personal_data`` in ``invoicing.apps``. Invoices and credit notes are
accounting records the seller must keep for ten years (French commercial code, art. L123-22) and
they never change once issued (database triggers): closing the account anonymises the account and
its orders, not the documents already given, which is the legal-obligation exception of GDPR
art. 17(3)(b). The export lists them with their amounts and where to download each PDF.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.personal_data import PersonalDataHolder, iso, money

from .models import Invoice


def export_invoices(user: User) -> list[dict[str, Any]]:
    """Every document made out to the account, oldest first; one query."""
    return [
        {
            "number": invoice.number,
            "kind": invoice.kind,
            "issued_on": invoice.issued_on.isoformat(),
            "issued_at": iso(invoice.issued_at),
            "credited_invoice": invoice.credited_invoice.number if invoice.credited_invoice else None,
            "customer_name": invoice.customer_name,
            "billing_address": invoice.billing_address,
            "total_net": money(invoice.total_net),
            "total_vat": money(invoice.total_vat),
            "total_gross": money(invoice.total_gross),
            "currency": invoice.currency,
        }
        for invoice in Invoice.objects.filter(customer=user)
        .select_related("credited_invoice")
        .order_by("issued_at", "id")
    ]


def keep_invoices(user: User, email: str) -> None:
    """Issued documents are kept as they are (see the module docstring): nothing to erase."""


HOLDER = PersonalDataHolder(section="invoices", export=export_invoices, erase=keep_invoices)
