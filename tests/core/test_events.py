"""core.events: published in the service's transaction, delivered after commit (or inside it)."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from core import events
from core.models import NumberSequence

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ThingHappened(events.Event):
    name = "test.thing_happened"
    thing_id: int


@pytest.fixture
def received():
    seen: list = []

    def after(event):
        seen.append(("after", event.thing_id))

    def inside(event):
        seen.append(("inside", event.thing_id))
        NumberSequence.objects.create(name=f"inside-{event.thing_id}")  # a write atomic with the publisher

    events.subscribe(ThingHappened, after)
    events.subscribe(ThingHappened, inside, phase=events.IN_TRANSACTION)
    yield seen
    events.unsubscribe(ThingHappened, after)
    events.unsubscribe(ThingHappened, inside)


def test_after_commit_subscribers_run_only_once_the_transaction_commits(
    received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.publish(ThingHappened(thing_id=7))
        assert received == [("inside", 7)]
    assert received == [("inside", 7), ("after", 7)]


def test_a_rollback_runs_no_after_commit_subscriber_and_undoes_in_transaction_writes(
    received, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        events.publish(ThingHappened(thing_id=8))
        raise RuntimeError("the operation failed")
    assert callbacks == []
    assert received == [("inside", 8)]
    assert not NumberSequence.objects.filter(name="inside-8").exists()


def test_an_in_transaction_subscriber_that_fails_aborts_the_publisher():
    def refuse(event):
        raise ValueError("no")

    events.subscribe(ThingHappened, refuse, phase=events.IN_TRANSACTION)
    try:
        with pytest.raises(ValueError), transaction.atomic():
            NumberSequence.objects.create(name="publisher-write")
            events.publish(ThingHappened(thing_id=9))
    finally:
        events.unsubscribe(ThingHappened, refuse)
    assert not NumberSequence.objects.filter(name="publisher-write").exists()


def test_subscribing_twice_delivers_once(django_capture_on_commit_callbacks):
    seen = []

    def handler(event):
        seen.append(event)

    events.subscribe(ThingHappened, handler)
    events.subscribe(ThingHappened, handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(ThingHappened(thing_id=1))
    finally:
        events.unsubscribe(ThingHappened, handler)
    assert seen == [ThingHappened(thing_id=1)]


def test_recorded_collects_what_was_published():
    with events.recorded() as seen:
        events.publish(ThingHappened(thing_id=3))
    assert seen == [ThingHappened(thing_id=3)]
    assert ThingHappened(thing_id=3).as_dict() == {"event": "test.thing_happened", "thing_id": 3}


def test_event_names_are_dotted_and_unique():
    with pytest.raises(TypeError):

        class NoName(events.Event):
            pass

    with pytest.raises(TypeError):

        @dataclass(frozen=True)
        class Twin(events.Event):
            name = "test.thing_happened"

    assert events.event_types()["test.thing_happened"] is ThingHappened
    with pytest.raises(TypeError):
        events.publish("order.paid")  # type: ignore[arg-type]
