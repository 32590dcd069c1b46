"""Issue one invoice or credit note: take its number, write it and its lines, queue its PDF.

The number comes from ``core.numbering`` inside the caller's transaction: a rollback gives it back,
so numbers stay gapless per series and year. The document is never written again; its PDF is
rendered by a Celery task queued through the outbox (published only once the document committed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from core import outbox
from core.legal import seller
from core.money import money_round
from core.numbering import formatted_number

from ..errors import EmptyDocument
from ..models import DocumentKind, Invoice, InvoiceLine

if TYPE_CHECKING:
    from accounts.models import User

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DraftLine:
    channel: str  # LineChannel
    place: str
    sale_date: dt.date
    label: str
    quantity: Decimal
    unit_price_net: Decimal
    vat_rate: Decimal
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    sku: str = ""
    discount_gross: Decimal = ZERO
    order_id: int | None = None
    order_line_id: int | None = None
    source_key: str = ""


@dataclass(frozen=True)
class Customer:
    """Who the document is made out to, as printed."""

    name: str
    email: str = ""
    user: User | None = None
    billing_address: dict[str, str] = field(default_factory=dict)
    company: str = ""
    vat_number: str = ""
    siren: str = ""
    language: str = "fr"

    @property
    def is_business(self) -> bool:
        return bool(self.company or self.vat_number or self.siren)


@dataclass(frozen=True)
class Draft:
    kind: str  # DocumentKind
    origin: str  # DocumentOrigin
    customer: Customer
    business_date: dt.date
    lines: list[DraftLine]
    payments: list[dict[str, str]] = field(default_factory=list)  # [{method, label, amount, date}]
    paid_amount: Decimal = ZERO
    run_id: int | None = None
    credited_invoice_id: int | None = None
    erp_number: str = ""
    number: str = ""  # given only by an ERP import (its own number); else the series' next


def account_customer(user: User, *, billing_address: dict[str, str]) -> Customer:
    """An account as its documents print it: its name (else the billing address's, else its e-mail),
    the billing address given, and the company, VAT number and SIREN of its profile (a business
    customer). The daily run and the ERP import both make their customers here."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        profile = user.customer_profile
    except ObjectDoesNotExist:
        profile = None
    from_address = " ".join(
        filter(None, [billing_address.get("first_name", ""), billing_address.get("last_name", "")])
    )
    return Customer(
        name=user.get_full_name() or from_address or user.email,
        email=user.email,
        user=user,
        billing_address=billing_address,
        company=profile.company_name if profile else "",
        vat_number=profile.vat_number if profile else "",
        siren=profile.siren if profile else "",
        language=user.preferred_language or "fr",
    )


def vat_breakdown(lines: list[DraftLine]) -> list[dict[str, str]]:
    """Net, VAT and gross per rate, from the lines (what was charged), lowest rate first."""
    rates: dict[Decimal, list[Decimal]] = {}
    for line in lines:
        acc = rates.setdefault(line.vat_rate, [ZERO, ZERO, ZERO])
        acc[0] += line.total_net
        acc[1] += line.total_vat
        acc[2] += line.total_gross
    return [
        {
            "rate": str(rate),
            "net": str(money_round(v[0])),
            "vat": str(money_round(v[1])),
            "gross": str(money_round(v[2])),
        }
        for rate, v in sorted(rates.items())
    ]


def issue_document(*, draft: Draft, issued_on: dt.date) -> Invoice:
    """Write ``draft`` as an issued document numbered in its series and year; queue its PDF.

    Must run inside the caller's transaction (the number is taken in it).
    """
    if not draft.lines:
        raise EmptyDocument()
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("issue_document() must run inside the transaction that issues the document.")
    number = draft.number or formatted_number(
        series=settings.CREDIT_NOTE_SERIES
        if draft.kind == DocumentKind.CREDIT_NOTE
        else settings.INVOICE_SERIES,
        year=issued_on.year,
    )
    customer = draft.customer
    due_date, terms_text = _terms(draft) if customer.is_business else (None, "")
    totals = [
        sum((getattr(line, f) for line in draft.lines), ZERO)
        for f in ("total_net", "total_vat", "total_gross")
    ]
    invoice = Invoice.objects.create(
        kind=draft.kind,
        origin=draft.origin,
        number=number,
        issued_on=issued_on,
        business_date=draft.business_date,
        run_id=draft.run_id,
        credited_invoice_id=draft.credited_invoice_id,
        erp_number=draft.erp_number,
        customer=customer.user,
        customer_email=customer.email,
        customer_name=customer.name,
        billing_address=customer.billing_address,
        customer_company=customer.company,
        customer_vat_number=customer.vat_number,
        customer_siren=customer.siren,
        is_business=customer.is_business,
        language=customer.language,
        seller=seller().as_snapshot(),
        total_net=money_round(totals[0]),
        total_vat=money_round(totals[1]),
        total_gross=money_round(totals[2]),
        vat_breakdown=vat_breakdown(draft.lines),
        paid_amount=money_round(draft.paid_amount),
        payments=draft.payments,
        payment_terms=terms_text if due_date else settings.INVOICE_PAYMENT_TERMS,
        due_date=due_date,
        late_penalty=settings.INVOICE_LATE_PENALTY_RATE if customer.is_business else "",
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            is_credit=draft.kind == DocumentKind.CREDIT_NOTE,
            channel=line.channel,
            place=line.place,
            sale_date=line.sale_date,
            order_id=line.order_id,
            order_line_id=line.order_line_id,
            source_key=line.source_key,
            sku=line.sku,
            label=line.label,
            quantity=line.quantity,
            unit_price_net=line.unit_price_net,
            vat_rate=line.vat_rate,
            discount_gross=line.discount_gross,
            total_net=line.total_net,
            total_vat=line.total_vat,
            total_gross=line.total_gross,
        )
        for position, line in enumerate(draft.lines, start=1)
    )
    outbox.enqueue(
        "invoicing.tasks.render_document_pdf", key=f"invoice-pdf:{invoice.pk}", document_id=invoice.pk
    )
    return invoice


def _terms(draft: Draft) -> tuple[dt.date | None, str]:
    """A business customer's orders on payment terms (``orders.services.b2b_terms``): the earliest
    due date among the document's orders and the words printed for it; (None, "") otherwise."""
    from orders.models import Order

    order_ids = {line.order_id for line in draft.lines if line.order_id}
    row = (
        Order.objects.filter(pk__in=order_ids, due_date__isnull=False)
        .order_by("due_date")
        .values_list("due_date", "payment_terms")
        .first()
    )
    if row is None:
        return None, ""
    due, terms = row
    label = {
        "net30": "30 jours",
        "net30eom": "30 jours fin de mois",
        "net45eom": "45 jours fin de mois",
        "net60": "60 jours",
    }.get(terms, terms)
    return (
        due,
        f"Paiement à {label} : à régler au plus tard le {due:%d/%m/%Y}. "
        "Pas d'escompte pour paiement anticipé.",
    )
