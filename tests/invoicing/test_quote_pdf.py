"""A sent B2B quote's PDF (issue 17): ``quote.sent`` -> invoicing's task (after commit, through the
outbox) renders it with WeasyPrint, orders stores it and e-mails it to the buyer with the PDF
attached, once; pdftotext reads the number and the quoted prices back."""

from __future__ import annotations

import subprocess

import pytest
from django.core import mail

from invoicing.services.quotes import render_quote_pdf
from orders.models import Quote
from tests.orders.quotes_support import make_quote_shop, sent

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "quote.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_sending_renders_the_pdf_after_commit_and_mails_it_once(
    eager_celery, django_capture_on_commit_callbacks, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    shop = make_quote_shop()
    with django_capture_on_commit_callbacks(execute=True):
        quote = sent(shop, box_price="7.5000", mug_price="6.2500")
    quote = Quote.objects.get(pk=quote.pk)

    assert quote.pdf and quote.pdf_rendered_at is not None and quote.emailed_at is not None
    with quote.pdf.open("rb") as handle:
        pdf = handle.read()
    text = _text(pdf, tmp_path)
    assert quote.number in text
    assert "7.50" in text and "6.25" in text  # the quoted prices (HT)
    assert "10.00" in text  # BOX's list price, shown beside its quoted one
    assert "Rossi SAS" in text

    [message] = mail.outbox
    assert message.to == ["anna@example.com"]
    assert quote.number in message.subject
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (f"{quote.number}.pdf", "application/pdf")
    assert content == pdf

    render_quote_pdf(quote_id=quote.pk)  # the task delivered twice: nothing rendered nor sent again
    assert len(mail.outbox) == 1
    assert Quote.objects.get(pk=quote.pk).pdf.name == quote.pdf.name


def test_nothing_is_rendered_while_the_transaction_is_open(eager_celery, django_capture_on_commit_callbacks):
    shop = make_quote_shop()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        quote = sent(shop)
    assert not Quote.objects.get(pk=quote.pk).pdf  # only queued: rendered after commit
    assert callbacks and mail.outbox == []
