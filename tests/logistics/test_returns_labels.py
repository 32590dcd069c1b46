"""Portal returns by post: the prepaid return label is asked from the carrier by a task after commit,
rendered and stored on the RMA; a carrier that fails leaves LABEL_FAILED with the reason and a retry."""

from __future__ import annotations

import pytest
from django.core import mail

from logistics import services_returns as services
from logistics.returns_errors import LabelNotRetryable
from logistics.returns_models import ReturnRequestStatus
from tests.logistics.returns_support import *  # noqa: F403
from tests.logistics.returns_support import delivered_order

pytestmark = pytest.mark.django_db

Line = services.ReturnLineInput


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def ask_by_post(order, capture):
    tee = order.lines.order_by("id").first()
    with capture(execute=True):
        rma = services.request_return(
            order=order, customer=order.customer, lines=[Line(tee.pk, 1, "too_small")], method="post"
        )
    rma.refresh_from_db()
    return rma


def test_a_post_return_gets_its_label_after_commit_and_the_email_links_it(
    rshop, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.RETURNS_CARRIER = "courier"  # the carrier without an API: our own code end to end
    order = delivered_order(rshop, language="en")
    mail.outbox.clear()
    rma = ask_by_post(order, django_capture_on_commit_callbacks)
    assert rma.status == ReturnRequestStatus.AWAITING
    assert (rma.carrier, rma.tracking_number, rma.label_error) == ("courier", rma.number, "")
    pdf = rma.label_pdf.read()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert (
        f"/en/account/returns/{rma.number}/label/" in body or f"/account/returns/{rma.number}/label/" in body
    )


def test_a_carrier_that_cannot_make_the_label_leaves_label_failed_then_a_retry_works(
    rshop, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.RETURNS_CARRIER = "pigeon"  # no such client: the registry's CarrierError
    order = delivered_order(rshop)
    mail.outbox.clear()
    rma = ask_by_post(order, django_capture_on_commit_callbacks)
    assert rma.status == ReturnRequestStatus.LABEL_FAILED
    assert "pigeon" in rma.label_error
    assert not rma.label_pdf and mail.outbox == []
    settings.RETURNS_CARRIER = "courier"
    rma.carrier = ""
    rma.save(update_fields=["carrier"])
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_return_label(request=rma)
    rma.refresh_from_db()
    assert rma.status == ReturnRequestStatus.AWAITING and rma.label_pdf
    with pytest.raises(LabelNotRetryable):
        services.retry_return_label(request=rma)


def test_a_colissimo_return_label_from_the_fake_api(
    rshop, colissimo_fake, eager_celery, django_capture_on_commit_callbacks
):
    order = delivered_order(rshop)
    rma = ask_by_post(order, django_capture_on_commit_callbacks)
    assert rma.status == ReturnRequestStatus.AWAITING, rma.label_error
    assert rma.carrier == "colissimo" and rma.tracking_number
    assert rma.label_pdf.read().startswith(b"%PDF")


def test_colissimo_down_leaves_the_reason(
    rshop, colissimo_fake, eager_celery, django_capture_on_commit_callbacks
):
    colissimo_fake.mode = "500"
    rma = ask_by_post(delivered_order(rshop), django_capture_on_commit_callbacks)
    assert rma.status == ReturnRequestStatus.LABEL_FAILED and rma.label_error
