"""Reads of invoicing for pages: the customer portal's "My invoices" and the admin.

A customer sees the documents made out to their account (``Invoice.customer``) and nothing else.
Documents of a guest checkout (``customer`` empty, only ``customer_email``) are NOT shown to an
account that has, or later takes, that e-mail address: signing up does not prove the address belongs
to the person, so matching by e-mail would hand a stranger's invoices (name, address, purchases) to
whoever registers it first. Such a customer asks the shop, which sends the PDF by e-mail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from core.auth import is_signed_in

from .models import Invoice

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def documents_for_customer(user: User | AnonymousUser | None) -> QuerySet[Invoice]:
    """The account's invoices and credit notes, newest first, each with its PDF row if rendered
    (``select_related("pdf")``: one query for a page). Nobody's for an anonymous user."""
    if not is_signed_in(user):
        return Invoice.objects.none()
    return (
        Invoice.objects.filter(customer=user)
        .select_related("pdf", "credited_invoice")
        .order_by("-issued_on", "-id")
    )


def document_for_customer(user: User | AnonymousUser | None, number: str) -> Invoice | None:
    """One of the account's documents by number; ``None`` for an unknown number or another
    customer's document alike (the same answer, so nothing leaks)."""
    return documents_for_customer(user).filter(number=number).first()
