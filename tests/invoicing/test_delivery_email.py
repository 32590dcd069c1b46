"""E-mailing a document: once per key with its PDF attached, in the customer's language; skipped
for a customer who opted out or when invoice e-mails are off; a failing backend is recorded."""

from __future__ import annotations

import smtplib

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from accounts.models import CustomerProfile
from core.errors import PermissionDenied
from invoicing import tasks
from invoicing.models import DeliveryStatus, DocumentKind, InvoiceDelivery, InvoicePdf
from invoicing.services.delivery import resend_document, send_document
from tests.factories import UserFactory
from tests.invoicing.pdf_support import CONSUMER, Customer, issue, line, stored_bytes, tmp_media

pytestmark = pytest.mark.django_db
media = pytest.fixture(tmp_media)


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def customer_with_account(*, invoices_by_email: bool = True, language: str = "fr") -> Customer:
    user = UserFactory(email="ana.account@example.com")
    CustomerProfile.objects.create(user=user, invoices_by_email=invoices_by_email)
    return Customer(
        name="Ana Colonna", email="", user=user, billing_address=CONSUMER.billing_address, language=language
    )


def test_the_document_is_emailed_once_per_key_with_its_pdf_attached(media):
    invoice = issue(customer=Customer(**{**CONSUMER.__dict__, "language": "en"}))

    first = send_document(document_id=invoice.pk, key=f"initial:{invoice.pk}")
    again = send_document(document_id=invoice.pk, key=f"initial:{invoice.pk}")

    assert again.pk == first.pk
    assert (first.status, first.to, first.error) == (DeliveryStatus.SENT, "ana@example.com", "")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject == f"Your invoice {invoice.number} from Maison Demo SAS"
    assert message.extra_headers["Content-Language"] == "en"
    assert f"Please find attached your invoice {invoice.number} of 14/03/2026." in message.body
    assert message.alternatives[0].mimetype == "text/html"
    [(filename, content, mimetype)] = message.attachments
    pdf = InvoicePdf.objects.get(invoice=invoice)
    assert (filename, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    assert content == stored_bytes(pdf)


def test_a_credit_note_email_says_so_and_names_the_invoice(media):
    invoice = issue(customer=Customer(**{**CONSUMER.__dict__, "language": "en"}))
    credit = issue(
        customer=Customer(**{**CONSUMER.__dict__, "language": "en"}),
        kind=DocumentKind.CREDIT_NOTE,
        credited=invoice,
        lines=[line("Savon au miel", unit_net="3.2500", source_key="return:1:line:3")],
    )

    send_document(document_id=credit.pk, key="initial:credit")

    assert mail.outbox[0].subject == f"Your credit note {credit.number} from Maison Demo SAS"
    assert f"It credits invoice {invoice.number}." in mail.outbox[0].body


def test_an_account_customer_is_emailed_at_the_accounts_address(media):
    invoice = issue(customer=customer_with_account())

    delivery = send_document(document_id=invoice.pk, key="initial:x")

    assert (delivery.status, delivery.to) == (DeliveryStatus.SENT, "ana.account@example.com")
    assert mail.outbox[0].to == ["ana.account@example.com"]


def test_a_customer_who_opted_out_gets_no_email_and_a_skipped_row(media):
    invoice = issue(customer=customer_with_account(invoices_by_email=False))

    delivery = send_document(document_id=invoice.pk, key=f"initial:{invoice.pk}")

    assert delivery.status == DeliveryStatus.SKIPPED
    assert delivery.error == "The customer does not want invoices by e-mail."
    assert mail.outbox == []
    # The PDF is there all the same (the portal shows it).
    assert InvoicePdf.objects.filter(invoice=invoice).exists()


def test_no_email_when_invoice_emails_are_off(media, settings):
    settings.INVOICE_EMAILS = False
    invoice = issue()

    delivery = send_document(document_id=invoice.pk, key="initial:off")

    assert delivery.status == DeliveryStatus.SKIPPED
    assert mail.outbox == []


def test_a_failing_backend_is_recorded_with_its_error(media, settings):
    settings.EMAIL_BACKEND = "tests.invoicing.test_delivery_email.FailingBackend"
    invoice = issue()

    delivery = send_document(document_id=invoice.pk, key="initial:fail")

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert InvoiceDelivery.objects.filter(key="initial:fail").count() == 1


def test_the_pdf_task_renders_then_emails_once_even_when_delivered_twice(media):
    invoice = issue()

    tasks.render_document_pdf(document_id=invoice.pk)
    tasks.render_document_pdf(document_id=invoice.pk)  # the outbox delivers at least once

    assert InvoicePdf.objects.filter(invoice=invoice).count() == 1
    assert list(InvoiceDelivery.objects.filter(invoice=invoice).values_list("key", "status")) == [
        (f"initial:{invoice.pk}", DeliveryStatus.SENT)
    ]
    assert len(mail.outbox) == 1


def test_staff_resend_needs_the_permission_and_sends_once_per_key(media):
    invoice = issue()
    clerk = UserFactory()
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="resend_invoice"))

    with pytest.raises(PermissionDenied):
        resend_document(invoice=invoice, user=clerk, key="k1")
    assert mail.outbox == [] and not InvoiceDelivery.objects.exists()

    first = resend_document(invoice=invoice, user=staff, key="k1")
    again = resend_document(invoice=invoice, user=staff, key="k1")
    other = resend_document(invoice=invoice, user=staff, key="k2")

    assert again.pk == first.pk and other.pk != first.pk
    assert first.requested_by == staff and first.status == DeliveryStatus.SENT
    assert first.key == "k1"
    assert len(mail.outbox) == 2


def test_a_french_customer_gets_the_email_in_french(media):
    invoice = issue()  # language "fr", the default

    send_document(document_id=invoice.pk, key="initial:fr")

    message = mail.outbox[0]
    assert message.subject == f"Votre facture {invoice.number} de Maison Demo SAS"
    assert f"Veuillez trouver ci-joint votre facture {invoice.number} du 14/03/2026." in message.body
    assert "Total TTC : 46,20\u00a0€" in message.body
    assert message.extra_headers["Content-Language"] == "fr"
