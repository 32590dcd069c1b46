"""A payment confirmed while the Celery broker is down: the webhook answers 200 at once, the order is
paid, and its confirmation e-mail leaves once the broker is back (finding 3 of issue 8)."""

import time

import pytest
from django.core import mail

from core import outbox
from core.models import OutboxMessage, OutboxStatus
from orders.models import OrderStatus
from orders.notification_log import NotificationLog
from tests.outbox_support import *  # noqa: F403 (the broker_down and celery_worker fixtures)
from tests.outbox_support import broker_back, delivered, wait_for

from .test_stripe import deliver, event, start

pytestmark = pytest.mark.django_db

CONFIRMATION = "orders.tasks.send_order_email"


def test_broker_down_the_payment_webhook_answers_200_at_once_and_the_email_waits(
    client, fakes, order, broker_down, django_capture_on_commit_callbacks
):
    started = start(order)
    deliver(client, event(started, type_="payment_intent.created", event_id="evt_warm_up"))  # not timed
    outbox.reset_breaker()

    with django_capture_on_commit_callbacks(execute=True):
        began = time.perf_counter()
        response = deliver(client, event(started))
        elapsed = time.perf_counter() - began

    assert response.status_code == 200 and response.json()["result"] == "captured"
    assert elapsed < 1.0
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    [message] = OutboxMessage.objects.filter(task_name=CONFIRMATION)  # (reporting owes a refresh too)
    assert (message.task_name, message.kwargs) == (
        CONFIRMATION,
        {"order_id": order.pk, "kind": "confirmation"},
    )
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert mail.outbox == [] and not NotificationLog.objects.exists()


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_broker_back_the_confirmation_email_is_delivered_once(
    client, fakes, order, broker_down, celery_worker
):
    started = start(order)
    deliver(client, event(started, type_="payment_intent.created", event_id="evt_warm_up"))
    outbox.reset_breaker()
    began = time.perf_counter()
    response = deliver(client, event(started))
    assert response.status_code == 200 and time.perf_counter() - began < 1.0
    [message] = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, task_name=CONFIRMATION)

    broker_back(broker_down)
    assert outbox.relay_all().published == []  # not due yet: the backoff holds it
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert outbox.relay_all().published == [message.pk]
    wait_for(lambda: delivered(message.pk), what="the worker to send the confirmation")
    # Published again (a relay that died before marking it sent): still one e-mail.
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING)
    assert outbox.relay(ids=[message.pk]).published == [message.pk]
    log = NotificationLog.objects.get(order=order, kind="confirmation", channel="email")
    assert (log.recipient, log.attempts, log.sent_at is not None) == ("ana@example.com", 1, True)
    wait_for(lambda: celery_worker.queue_empty(broker_down), what="the copy to be consumed")
    time.sleep(1)  # the copy, taken off the queue, has run (it does nothing)
    assert [to for to, _ in celery_worker.mails()] == ["ana@example.com"]
    assert NotificationLog.objects.get(pk=log.pk).attempts == 1
