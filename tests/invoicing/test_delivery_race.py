"""Two workers sending the same document with the same key at once (the outbox delivers at least
once): one e-mail, one ``InvoiceDelivery`` row, both callers get it. Real threads, PostgreSQL."""

from __future__ import annotations

import pytest
from django.core import mail

from invoicing.models import DeliveryStatus, InvoiceDelivery
from invoicing.services.delivery import send_document
from invoicing.services.rendering import render_document_pdf
from tests.concurrency import in_threads
from tests.invoicing.pdf_support import issue, tmp_media

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
media = pytest.fixture(tmp_media)


def test_the_same_key_sent_by_four_workers_at_once_is_one_email(media):
    invoice = issue()
    render_document_pdf(document_id=invoice.pk)  # stored first: the threads race on the e-mail only

    rows = in_threads(4, lambda i: send_document(document_id=invoice.pk, key=f"initial:{invoice.pk}"))

    assert len({row.pk for row in rows}) == 1
    assert rows[0].status == DeliveryStatus.SENT
    assert InvoiceDelivery.objects.filter(invoice=invoice).count() == 1
    assert len(mail.outbox) == 1
