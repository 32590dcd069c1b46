"""E-mailing an issued document to its customer, its Factur-X PDF attached.

``send_document(document_id=..., key=...)`` is called by the PDF task once the PDF is stored
(``key="initial:<id>"``) and by staff through ``resend_document`` (the request's own key).
Each key gives one ``InvoiceDelivery`` row, whatever happens: ``sent``; ``skipped`` when invoices
are not e-mailed (``settings.INVOICE_EMAILS`` off), the customer opted out
(``CustomerProfile.invoices_by_email``) or there is no address; ``failed`` with the backend's error
when sending raised (not retried under the same key: staff re-send it, and see it in the admin).
A second call with a key already used returns its row and sends nothing (the outbox delivers a task
at least once; staff double-click).

The document's row is locked (``SELECT ... FOR UPDATE``; no UPDATE, so the immutability trigger is
not involved) while one key is looked up, sent and recorded: two workers with the same key send one
e-mail. That transaction holds the SMTP exchange, on purpose: the e-mail is what the row records.
The PDF is rendered (or read) before, outside any transaction.

Subject and body are in the document's language (``Invoice.language``), from
``templates/invoicing/email_subject.txt``, ``email_body.txt`` and ``email_body.html``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from core.errors import PermissionDenied

from ..errors import DocumentNotFound
from ..models import DeliveryStatus, Invoice, InvoiceDelivery
from .rendering import render_document_pdf

if TYPE_CHECKING:
    from accounts.models import User

ERROR_MAX = 250


def send_document(*, document_id: int, key: str, requested_by: User | None = None) -> InvoiceDelivery:
    """E-mail the document with its PDF, once per ``key``. Returns what happened (a new row, or the
    row of an earlier call with this key)."""
    existing = InvoiceDelivery.objects.filter(key=key).first()
    if existing is not None:
        return existing
    pdf = render_document_pdf(document_id=document_id)  # stored once; outside any transaction
    with pdf.file.open("rb") as stored:
        pdf_bytes = stored.read()
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("customer__customer_profile")
            .filter(pk=document_id)
            .first()
        )
        if invoice is None:
            raise DocumentNotFound(detail={"document_id": document_id})
        existing = InvoiceDelivery.objects.filter(key=key).first()
        if existing is not None:
            return existing
        to = recipient(invoice)
        reason = _skip_reason(invoice, to)
        if reason:
            return InvoiceDelivery.objects.create(
                invoice=invoice,
                to=to,
                status=DeliveryStatus.SKIPPED,
                error=reason,
                requested_by=requested_by,
                key=key,
            )
        try:
            build_email(invoice, to=to, pdf=pdf_bytes).send()
        except Exception as exc:  # the backend's failure is recorded, not raised
            return InvoiceDelivery.objects.create(
                invoice=invoice,
                to=to,
                status=DeliveryStatus.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX],
                requested_by=requested_by,
                key=key,
            )
        return InvoiceDelivery.objects.create(
            invoice=invoice, to=to, status=DeliveryStatus.SENT, requested_by=requested_by, key=key
        )


def resend_document(*, invoice: Invoice, user: User, key: str) -> InvoiceDelivery:
    """Staff send a document to its customer again (the ``invoicing.resend_invoice`` permission).
    ``key`` is the request's idempotency key, kept as the delivery's key (the admin's is
    ``admin-resend:<confirmation>:<id>``): the same key twice sends one e-mail."""
    if not (user.is_authenticated and user.is_active and user.has_perm("invoicing.resend_invoice")):
        raise PermissionDenied("Only staff allowed to re-send invoices may do this.")
    if not key:
        raise ValueError("resend_document() needs the request's key.")
    if len(key) > 80 or key.startswith("initial:"):
        raise ValueError(f"Not a re-send key: {key!r}")
    return send_document(document_id=invoice.pk, key=key, requested_by=user)


def recipient(invoice: Invoice) -> str:
    """Where the document goes: the e-mail it was made out to, else its customer account's."""
    if invoice.customer_email:
        return invoice.customer_email
    return invoice.customer.email if invoice.customer is not None else ""


def build_email(invoice: Invoice, *, to: str, pdf: bytes) -> EmailMultiAlternatives:
    """The e-mail in the document's language: subject, text, HTML alternative, the PDF attached."""
    codes = {code for code, _ in settings.LANGUAGES}
    language = invoice.language if invoice.language in codes else settings.LANGUAGE_CODE
    with translation.override(language):
        context = _context(invoice)
        subject = " ".join(render_to_string("invoicing/email_subject.txt", context).split())
        text = render_to_string("invoicing/email_body.txt", context)
        html = render_to_string("invoicing/email_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    message.attach(f"{invoice.number}.pdf", pdf, "application/pdf")
    return message


def _skip_reason(invoice: Invoice, to: str) -> str:
    if not settings.INVOICE_EMAILS:
        return "Invoice e-mails are off (INVOICE_EMAILS)."
    if not to:
        return "No e-mail address."
    profile = getattr(invoice.customer, "customer_profile", None) if invoice.customer else None
    if profile is not None and not profile.invoices_by_email:
        return "The customer does not want invoices by e-mail."
    return ""


def _context(invoice: Invoice) -> dict[str, Any]:
    seller: dict[str, Any] = invoice.seller or {}
    return {
        "invoice": invoice,
        "is_credit_note": invoice.is_credit_note,
        "seller_name": seller.get("legal_name", ""),
        "seller_email": seller.get("email", ""),
        "shop_name": getattr(settings, "SHOP_NAME", "") or seller.get("legal_name", ""),
    }
