"""Outgoing webhooks against a real local HTTP receiver: signed (checked by the sample receiver),
sent after commit only, retried with exponential backoff, failed after a day, the endpoint disabled
after repeated failures with an e-mail to staff, replayed from the admin."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.events import CustomerUpdated
from accounts.models import Role
from accounts.services import update_profile
from core import events
from core.models import OutboxMessage
from integrations.webhooks import services
from integrations.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from integrations.webhooks.verify import verify_signature
from inventory import services as inventory
from tests.factories import UserFactory
from tests.outbox_support import broker_down as broker_down  # noqa: F401  (the fixture, used by name)

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "s3cr3t-shared-with-the-erp"


def endpoint(url: str, *event_names: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(name="ERP", url=url, secret=SECRET, events=list(event_names))


def customer_event(n: int = 1) -> CustomerUpdated:
    """A real customer's ``customer.updated`` (order events need real orders: other apps read them)."""
    user = UserFactory(email=f"buyer{n}@example.com")
    return CustomerUpdated(user_id=user.pk)


def publish_committed(event: events.Event) -> None:
    with transaction.atomic():
        events.publish(event)


def test_a_paid_order_is_delivered_signed_and_verified(
    eager_celery, receiver, shop, customer, web_order, payments_test_provider
):
    endpoint(receiver.url, "order.paid", "order.shipped")
    order = web_order(customer, [(shop.tee, 2)])

    assert len(receiver.received) == 1
    hit = receiver.received[0]
    assert hit.path == "/hooks/omni"
    assert verify_signature(
        SECRET, hit.headers["X-Omni-Timestamp"], hit.body, hit.headers["X-Omni-Signature"], tolerance=300
    )
    assert hit.headers["X-Omni-Signature"].startswith("v1=")
    assert not verify_signature(
        "another secret", hit.headers["X-Omni-Timestamp"], hit.body, hit.headers["X-Omni-Signature"]
    )
    assert not verify_signature(
        SECRET, hit.headers["X-Omni-Timestamp"], hit.body + b" ", hit.headers["X-Omni-Signature"]
    )
    stale = int(hit.headers["X-Omni-Timestamp"]) - 301
    assert not verify_signature(SECRET, stale, hit.body, hit.headers["X-Omni-Signature"], now=time.time())
    body = hit.json()
    assert body["event"] == "order.paid"
    assert body["data"]["number"] == order.number and body["data"]["status"] == "paid"
    delivery = WebhookDelivery.objects.get()
    assert hit.headers["X-Omni-Delivery"] == body["id"] == str(delivery.uuid)
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )


def test_nothing_is_sent_when_the_transaction_rolls_back(eager_celery, receiver):
    endpoint(receiver.url, "customer.updated")
    buyer = UserFactory(email="buyer@example.com")
    with pytest.raises(RuntimeError), transaction.atomic():
        update_profile(
            user=buyer,
            first_name="A",
            last_name="B",
            phone="",
            preferred_language="fr",
            marketing_opt_in=True,
        )
        assert WebhookDelivery.objects.count() == 1  # owed inside the transaction...
        raise RuntimeError("the caller's transaction failed")
    assert WebhookDelivery.objects.count() == 0  # ...and gone with it
    assert not OutboxMessage.objects.filter(task_name=services.SEND_TASK).exists()
    assert receiver.received == []


def test_send_refuses_to_run_inside_a_transaction(receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.send_delivery(delivery_id=1)


def test_retried_with_exponential_backoff_until_a_2xx(eager_celery, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.codes = [500, 503, 200]
    endpoint(receiver.url, "customer.updated")
    publish_committed(customer_event())  # first attempt after commit: 500
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == ("pending", 1, 500)
    assert delivery.last_response_body == "receiver is down"
    first_try = delivery.last_attempt_at
    assert delivery.next_attempt_at == first_try + dt.timedelta(seconds=30)

    assert services.send_due_deliveries(now=first_try + dt.timedelta(seconds=29)) == []  # not yet due
    second_try = first_try + dt.timedelta(seconds=30)
    [result] = services.send_due_deliveries(now=second_try)
    assert (result.status, result.response_code) == ("pending", 503)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == second_try + dt.timedelta(seconds=60)  # doubled
    assert WebhookEndpoint.objects.get().consecutive_failures == 2

    [result] = services.send_due_deliveries(now=second_try + dt.timedelta(seconds=60))
    assert result.status == "delivered"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 3)
    assert WebhookEndpoint.objects.get().consecutive_failures == 0
    assert len({r.headers["X-Omni-Delivery"] for r in receiver.received}) == 1  # one delivery, 3 tries
    assert len({r.body for r in receiver.received}) == 1  # the same body each time


def test_failed_after_the_retry_window(eager_celery, receiver, settings):
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    receiver.codes = [500]
    endpoint(receiver.url, "customer.updated")
    publish_committed(customer_event())
    delivery = WebhookDelivery.objects.get()
    late = delivery.created_at + dt.timedelta(hours=24, seconds=-30)
    [result] = services.send_due_deliveries(now=late)
    assert result.status == "failed"  # the next wait would end past 24 h
    assert services.send_due_deliveries(now=late + dt.timedelta(hours=2)) == []


def test_endpoint_disabled_after_repeated_failures_and_staff_told(eager_celery, receiver, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    settings.ADMINS = [("Ops", "ops@example.com")]
    office = UserFactory(email="office@example.com", role=Role.STAFF)
    UserFactory(email="till@example.com", role=Role.SHOPPER)
    receiver.codes = [500]
    endpoint(receiver.url, "customer.updated")
    publish_committed(customer_event(1))
    publish_committed(customer_event(2))
    assert WebhookEndpoint.objects.get().consecutive_failures == 2 and mail.outbox == []
    later = timezone.now() + dt.timedelta(minutes=5)
    services.send_due_deliveries(now=later, limit=1)

    hook = WebhookEndpoint.objects.get()
    assert (hook.is_active, hook.consecutive_failures) == (False, 3)
    assert hook.disabled_at == later and "HTTP 500" in hook.disabled_reason
    [message] = mail.outbox
    assert sorted(message.to) == ["office@example.com", "ops@example.com"] and office.is_active
    assert "ERP" in message.subject and receiver.url in message.body
    # Disabled: nothing more is sent, the deliveries wait (pending).
    hits = len(receiver.received)
    assert services.send_due_deliveries(now=later + dt.timedelta(hours=1)) == []
    assert len(receiver.received) == hits
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"pending"}
    # Re-enabled: they go at the next sweep.
    receiver.codes = [200]
    services.enable_endpoints(endpoint_ids=[hook.pk])
    sent = services.send_due_deliveries(now=later + dt.timedelta(hours=1))
    assert [r.status for r in sent] == ["delivered", "delivered"]


def test_replay_from_the_admin(eager_celery, receiver, client):
    endpoint(receiver.url, "customer.updated")
    publish_committed(customer_event())
    original = WebhookDelivery.objects.get()
    assert original.status == "delivered"
    office = UserFactory(email="office@example.com", role=Role.STAFF)
    client.force_login(office)
    assert client.get("/admin/integrations/webhookdelivery/").status_code == 200
    assert client.get(f"/admin/integrations/webhookdelivery/{original.pk}/change/").status_code == 200
    response = client.post(
        "/admin/integrations/webhookdelivery/",
        {"action": "replay", "_selected_action": [str(original.pk)]},
    )
    assert response.status_code == 302
    replay = WebhookDelivery.objects.exclude(pk=original.pk).get()
    assert (replay.replay_of_id, replay.status, replay.payload) == (
        original.pk,
        "delivered",
        original.payload,
    )
    assert [r.json()["id"] for r in receiver.received] == [str(original.uuid), str(replay.uuid)]
    assert receiver.received[0].json()["data"] == receiver.received[1].json()["data"]


def test_a_shopper_cannot_replay(client):
    shopper = UserFactory(email="s@example.com", role=Role.SHOPPER, is_staff=True)
    client.force_login(shopper)
    assert client.get("/admin/integrations/webhookdelivery/").status_code == 403


def test_stock_changes_coalesce_into_one_delivery_with_the_latest_level(
    broker_down,  # noqa: F811  (the fixture)
    receiver,
    variant,
    store,
):
    endpoint(receiver.url, "stock.changed")
    with transaction.atomic():
        inventory.receive_stock(variant=variant, location=store, quantity=5)
    with transaction.atomic():
        inventory.receive_stock(variant=variant, location=store, quantity=3)
    delivery = WebhookDelivery.objects.get()  # the broker is down: the first one still waits, untried
    assert delivery.coalesce_key == f"{variant.pk}:{store.pk}" and delivery.payload["on_hand"] == 5
    result = services.send_delivery(delivery_id=delivery.pk)
    assert result is not None and result.status == "delivered"
    data = receiver.received[0].json()["data"]
    assert data == {"sku": variant.sku, "location": store.code, "on_hand": 8, "reserved": 0, "available": 8}
    with transaction.atomic():
        inventory.receive_stock(variant=variant, location=store, quantity=1)
    assert WebhookDelivery.objects.count() == 2  # the first was sent: a new one


def test_events_nobody_subscribed_to_write_nothing(eager_celery, receiver):
    endpoint(receiver.url, "order.shipped")
    WebhookEndpoint.objects.create(name="off", url=receiver.url, events=["customer.updated"], is_active=False)
    publish_committed(customer_event())
    assert WebhookDelivery.objects.count() == 0 and receiver.received == []
