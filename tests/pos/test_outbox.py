"""A till sale with the Celery broker down answers at once; its side effects wait in the outbox and
leave exactly once when the broker is back (finding 3 of issue 8)."""

import time

import pytest
from django.core import mail

from core import outbox
from core.models import OutboxMessage, OutboxStatus
from inventory.models import StockAlert, StockLevel
from tests.core.api_helpers import api_client
from tests.outbox_support import *  # noqa: F403 (the broker_down and celery_worker fixtures)
from tests.outbox_support import broker_back, delivered, wait_for

from .test_api import post_sale, sale_body

pytestmark = pytest.mark.django_db

RECEIPT = "pos.tasks.send_receipt_email"
REPORTING = "reporting.tasks.refresh_order_facts"  # every sale owes one too (reporting/)
ALERT = "inventory.tasks.send_low_stock_alert"


def sell_below_threshold(store, session, cashier_user, tshirt):
    """Two sales of 5 T-shirts with a low-stock threshold of 3; the second (2 more) raises the alert.

    The first warms the process up (the first request imports views, the first publish the broker
    transport) and is not timed; the breaker it opened is closed again, so the timed sale does try
    the broker. Returns the timed sale's response and how long it took."""
    StockLevel.objects.filter(variant=tshirt, location=store).update(low_stock_threshold=3)
    client = api_client(cashier_user)
    warm_up = post_sale(client, sale_body(session, lines=[{"sku": "TSHIRT-M-RED", "quantity": 1}]))
    assert warm_up.status_code == 201 and not StockAlert.objects.exists()
    outbox.reset_breaker()
    started = time.perf_counter()
    response = post_sale(client, sale_body(session))
    return response, time.perf_counter() - started


def email_receipt(cashier_user, number, email):
    started = time.perf_counter()
    response = api_client(cashier_user).post(
        f"/api/v1/pos/sales/{number}/email/", {"email": email}, format="json"
    )
    return response, time.perf_counter() - started


def test_broker_down_the_sale_answers_201_at_once_and_its_effects_wait(
    broker_down, store, session, cashier_user, tshirt, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, elapsed = sell_below_threshold(store, session, cashier_user, tshirt)
    assert response.status_code == 201 and elapsed < 1.0
    number = response.json()["number"]
    with django_capture_on_commit_callbacks(execute=True):
        receipt, receipt_elapsed = email_receipt(cashier_user, number, "anna@example.com")
    assert (receipt.status_code, receipt.json()) == (202, {"email": "anna@example.com"})
    assert receipt_elapsed < 1.0

    # Committed: the sale and its alert; owed: the alert e-mail and the receipt, pending in the outbox.
    alert = StockAlert.objects.get()
    assert (alert.available, alert.emailed_at) == (2, None)
    rows = {m.task_name: m for m in OutboxMessage.objects.exclude(task_name=REPORTING)}
    assert set(rows) == {ALERT, RECEIPT}  # the warm-up sale owed nothing but its reporting refresh
    assert rows[ALERT].kwargs == {"alert_id": alert.pk}
    assert rows[RECEIPT].kwargs["email"] == "anna@example.com"
    assert {m.status for m in rows.values()} == {OutboxStatus.PENDING}
    # The sale's first owed message (its alert or its reporting refresh) was tried once and opened
    # the breaker; nothing after it was tried.
    sale_messages = [rows[ALERT], *OutboxMessage.objects.filter(task_name=REPORTING, attempts__gt=0)]
    assert sum(m.attempts for m in sale_messages) == 1
    assert any("Connection refused" in m.last_error for m in sale_messages)
    assert rows[RECEIPT].attempts == 0  # the breaker was open: not even tried
    assert mail.outbox == []


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_broker_back_a_worker_sends_the_receipt_and_the_alert_exactly_once(
    broker_down, celery_worker, store, session, cashier_user, tshirt
):
    response, elapsed = sell_below_threshold(store, session, cashier_user, tshirt)
    assert response.status_code == 201 and elapsed < 1.0
    receipt, receipt_elapsed = email_receipt(cashier_user, response.json()["number"], "anna@example.com")
    assert receipt.status_code == 202 and receipt_elapsed < 1.0
    pending = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .exclude(task_name=REPORTING)
        .order_by("created_at")
    )
    assert [m.task_name for m in pending] == [ALERT, RECEIPT]

    broker_back(broker_down)
    result = outbox.relay(ids=[m.pk for m in pending])
    assert result.published == [m.pk for m in pending] and result.failed == []
    wait_for(lambda: all(delivered(m.pk) for m in pending), what="the worker to run both tasks")
    assert StockAlert.objects.get().emailed_at is not None
    receipt_row = pending[1]

    # The relay died after publishing and before marking: it publishes the receipt again.
    OutboxMessage.objects.filter(pk=receipt_row.pk).update(status=OutboxStatus.PENDING)
    assert outbox.relay(ids=[receipt_row.pk]).published == [receipt_row.pk]
    # A later message behind it on the queue (one solo worker: in order) says the copy was consumed.
    sentinel, _ = email_receipt(cashier_user, response.json()["number"], "zoe@example.com")
    assert sentinel.status_code == 202
    last = OutboxMessage.objects.get(kwargs__email="zoe@example.com")
    wait_for(lambda: delivered(last.pk), what="the sentinel receipt")

    sent = celery_worker.mails()
    assert [to for to, _ in sent].count("anna@example.com") == 1
    assert [to for to, _ in sent].count("zoe@example.com") == 1
    assert len([subject for _, subject in sent if "Low stock" in subject]) == 1
