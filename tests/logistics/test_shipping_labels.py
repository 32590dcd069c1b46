"""Parcel labels: asked from the carrier outside any transaction, rendered, stored; a failure leaves
the parcel in "label failed" and nothing else; exactly one label per parcel."""

from __future__ import annotations

import io
import time

import pytest
from celery.exceptions import Retry
from django.db import connection
from pypdf import PdfReader

from core.models import OutboxMessage
from logistics import services_shipping as services
from logistics.carriers import CarrierError, LabelRequest, LabelResult, PostalAddress
from logistics.errors_shipping import LabelAlreadyReady
from logistics.fulfilment_models import LabelStatus, Parcel, Shipment, ShipmentStatus
from logistics.tasks_shipping import LABEL_MAX_RETRIES, create_parcel_label
from orders.models import Order, OrderStatus
from tests.concurrency import in_threads

from .ship_support import (
    FakeCarrier,
    packed_shipment,
    paid_order,
    tmp_media,
    use_fake_carrier,
    warehouse,
)

pytestmark = pytest.mark.django_db
media = pytest.fixture(tmp_media)


@pytest.fixture
def fake(monkeypatch):
    return use_fake_carrier(monkeypatch, FakeCarrier())


@pytest.fixture
def shipment(fake):
    return packed_shipment(paid_order(location=warehouse()), carrier="fake", parcels=2)


def parcel_row(parcel: Parcel) -> tuple:
    parcel.refresh_from_db()
    return (parcel.label_status, parcel.label_error, parcel.label_attempts, parcel.tracking_number)


def test_a_label_is_asked_rendered_and_stored(shipment, fake, media):
    first, second = shipment.parcels.all()
    parcel = services.create_label(parcel_id=first.pk)
    assert (parcel.label_status, parcel.tracking_number, parcel.carrier_reference) == (
        "ready",
        "FK000001",
        "REF-FK000001",
    )
    assert parcel.tracking_url == "https://fake.example/track/FK000001"
    assert parcel.label_attempts == 1
    (request,) = fake.labels
    assert request == LabelRequest(
        reference=f"{shipment.number}-1",
        sender=PostalAddress(
            name="Entrepôt",
            line1="Zone industrielle du Vazzio",
            postal_code="20090",
            city="Ajaccio",
            phone="+33495000000",
        ),
        recipient=PostalAddress(
            name="Ana Colonna",
            line1="3 rue Fesch",
            postal_code="20000",
            city="Ajaccio",
            phone="+33612345678",
            email="ana@example.com",
        ),
        weight_grams=500,
        value_eur=str(shipment.order.total_gross_eur),
    )
    assert parcel.label_pdf.name.startswith("labels/") and parcel.label_pdf.name.endswith(".pdf")
    with parcel.label_pdf.open("rb") as handle:
        pdf = PdfReader(io.BytesIO(handle.read()))
    assert len(pdf.pages) == 1
    assert "FK000001" in pdf.pages[0].extract_text().replace(" ", "")
    # One label of two: the shipment waits for the other.
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.PACKED
    services.create_label(parcel_id=second.pk)
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.LABELLED
    assert fake.labels[1].reference == f"{shipment.number}-2"


@pytest.mark.parametrize("retryable", [True, False])
def test_a_carrier_error_leaves_the_parcel_failed_and_nothing_else(shipment, fake, media, retryable):
    parcel = shipment.parcels.first()
    fake.fail = CarrierError("Colissimo: service indisponible", retryable=retryable)
    with pytest.raises(CarrierError):
        services.create_label(parcel_id=parcel.pk)
    assert parcel_row(parcel) == ("failed", "Colissimo: service indisponible", 1, "")
    assert not parcel.label_pdf
    assert parcel.label_claimed_at is None
    assert not list(media.rglob("*.pdf"))
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.PACKED
    assert Order.objects.get(pk=shipment.order_id).status == OrderStatus.PAID


def test_retry_queues_the_label_again_and_it_then_succeeds(shipment, fake, media):
    parcel = shipment.parcels.first()
    fake.fail = CarrierError("timeout")
    with pytest.raises(CarrierError):
        services.create_label(parcel_id=parcel.pk)
    services.retry_label(parcel_id=parcel.pk, user=None)
    assert parcel_row(parcel) == ("pending", "", 1, "")
    message = OutboxMessage.objects.get(task_name="logistics.tasks_shipping.create_parcel_label")
    assert message.kwargs == {"parcel_id": parcel.pk}
    fake.fail = None
    services.create_label(parcel_id=parcel.pk)
    assert parcel_row(parcel) == ("ready", "", 2, "FK000001")


def test_a_parcel_with_its_label_is_not_retried(shipment, fake, media):
    parcel = shipment.parcels.first()
    services.create_label(parcel_id=parcel.pk)
    before = OutboxMessage.objects.count()
    with pytest.raises(LabelAlreadyReady):
        services.retry_label(parcel_id=parcel.pk, user=None)
    assert parcel_row(parcel) == ("ready", "", 1, "FK000001")
    assert OutboxMessage.objects.count() == before


def run_label(parcel_id: int, **options):
    """The label task, run eagerly; its result read without Celery's "inside a task" guard (a flag
    another eager task of this process may have left set)."""
    return create_parcel_label.apply(kwargs={"parcel_id": parcel_id}, **options).get(
        disable_sync_subtasks=False
    )


def test_the_task_run_twice_makes_one_label(shipment, fake, media, eager_celery):
    parcel = shipment.parcels.first()
    assert run_label(parcel.pk) == "ready"
    assert run_label(parcel.pk) == "ready"
    assert len(fake.labels) == 1
    assert parcel_row(parcel) == ("ready", "", 1, "FK000001")


def test_the_task_retries_a_carrier_down_but_not_a_refusal(shipment, fake, media, eager_celery):
    down, refused = shipment.parcels.all()
    fake.fail = CarrierError("down")
    with pytest.raises(Retry) as retried:  # a worker tries again in 30 s, then 60 s, ...
        run_label(down.pk)
    assert retried.value.when == 30
    assert parcel_row(down) == ("failed", "down", 1, "")
    # The last allowed attempt gives up and leaves the parcel failed for staff to retry.
    assert run_label(down.pk, retries=LABEL_MAX_RETRIES) == "failed"
    assert parcel_row(down) == ("failed", "down", 2, "")
    fake.fail = CarrierError("postcode refused", retryable=False)
    assert run_label(refused.pk) == "failed"
    assert parcel_row(refused) == ("failed", "postcode refused", 1, "")


def test_the_store_courier_labels_with_its_own_reference(fake, media):
    shipment = packed_shipment(paid_order(location=warehouse()), carrier="courier")
    parcel = services.create_label(parcel_id=shipment.parcels.get().pk)
    assert (parcel.label_status, parcel.tracking_number, parcel.tracking_url) == (
        "ready",
        f"{shipment.number}-1",
        "",
    )
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.LABELLED


class SlowCarrier(FakeCarrier):
    """Takes its time, and notes whether it was called inside a database transaction."""

    in_transaction: list[bool]

    def create_label(self, request: LabelRequest) -> LabelResult:
        self.in_transaction.append(connection.in_atomic_block)
        time.sleep(0.3)
        return super().create_label(request)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_raced_label_tasks_ask_the_carrier_once(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    slow = SlowCarrier()
    slow.in_transaction = []
    use_fake_carrier(monkeypatch, slow)
    shipment = packed_shipment(paid_order(location=warehouse()), carrier="fake")
    parcel = shipment.parcels.get()
    results = in_threads(4, lambda i: services.create_label(parcel_id=parcel.pk))
    assert len(slow.labels) == 1  # the carrier was asked once, outside any transaction
    assert slow.in_transaction == [False]
    # The three that found the parcel claimed answered it as it was then (pending) or is now (ready).
    assert sorted(r.label_status for r in results).count(LabelStatus.READY) >= 1
    assert parcel_row(parcel) == ("ready", "", 1, "FK000001")
    assert len(list(tmp_path.rglob("*.pdf"))) == 1
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.LABELLED


def test_no_retry_while_a_task_is_asking_the_carrier(shipment, fake, media):
    from django.utils import timezone

    from logistics.errors_shipping import LabelInProgress

    first, second = shipment.parcels.all()
    Parcel.objects.filter(pk=first.pk).update(label_claimed_at=timezone.now())
    before = OutboxMessage.objects.count()
    with pytest.raises(LabelInProgress):
        services.retry_label(parcel_id=first.pk, user=None)
    # The shipment's retry leaves the busy parcel to its task and asks for the other one.
    assert [p.pk for p in services.retry_failed_labels(shipment=shipment, user=None)] == [second.pk]
    assert OutboxMessage.objects.count() == before + 1
    # A claim older than the lease (its task died) no longer holds the parcel back.
    Parcel.objects.filter(pk=first.pk).update(label_claimed_at=timezone.now() - services.CLAIM_LEASE)
    services.retry_label(parcel_id=first.pk, user=None)
    assert services.create_label(parcel_id=first.pk).label_status == LabelStatus.READY
