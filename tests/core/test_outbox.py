"""The transactional outbox (core.outbox): written with the write, sent after commit, once, and kept
while the broker is down (retried with backoff by the relay)."""

import datetime as dt
import threading
import time
import uuid

import pytest
from celery import shared_task
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage, OutboxStatus
from tests.factories import UserFactory
from tests.outbox_support import *  # noqa: F403 (the broker_down fixture)

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


@shared_task(name="tests.outbox_probe")
def probe(*, value: str, fail: bool = False) -> str:
    """What the tests send: records each run; ``fail`` raises like a task whose mail server is down."""
    CALLS.append(value)
    if fail:
        raise ValueError(f"probe {value} failed")
    return value


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    outbox.reset_breaker()
    yield CALLS
    CALLS.clear()


def enqueue_committed(task=probe, **kwargs) -> OutboxMessage:
    with transaction.atomic():
        return outbox.enqueue(task, **kwargs)


def redeliver(message: OutboxMessage, **kwargs):
    """The task applied again with the message's id, as a second publish of it would be."""
    return probe.apply_async(kwargs=kwargs, task_id=str(message.pk), headers={"outbox_id": str(message.pk)})


def fresh(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


# --- writing --------------------------------------------------------------------------------------


def test_enqueue_outside_a_transaction_is_refused():
    with pytest.raises(outbox.NotInTransaction):
        outbox.enqueue(probe, value="a")
    assert not OutboxMessage.objects.exists()


def test_kwargs_must_be_plain_json():
    with pytest.raises(TypeError), transaction.atomic():
        outbox.enqueue(probe, value=uuid.uuid4())
    assert not OutboxMessage.objects.exists()


def test_a_rolled_back_transaction_sends_nothing(eager_celery, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue(probe, value="a")
        raise RuntimeError("the write fails")
    assert (callbacks, CALLS, OutboxMessage.objects.count()) == ([], [], 0)


def test_a_committed_message_runs_after_commit_once(eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.enqueue(probe, value="a")
        assert CALLS == []  # not inside the transaction
    assert CALLS == ["a"]
    message = fresh(message)
    assert (message.task_name, message.kwargs, message.status, message.attempts) == (
        "tests.outbox_probe",
        {"value": "a"},
        OutboxStatus.SENT,
        1,
    )
    assert message.sent_at is not None and message.delivered_at is not None and message.claimed_at is None
    # The same message delivered again (a relay that died after publishing publishes it twice): skipped.
    again = redeliver(message, value="a")
    assert again.get() is None and CALLS == ["a"]
    # A task called without the header (delay(), beat) just runs.
    assert probe.delay(value="b").get() == "b" and CALLS == ["a", "b"]


def test_a_task_named_by_string_is_sent_too(eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.enqueue("tests.outbox_probe", value="by name")
    assert CALLS == ["by name"]


def test_a_key_writes_one_message(eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = outbox.enqueue(probe, key="alert:1", value="a")
        second = outbox.enqueue(probe, key="alert:1", value="a")
    assert first.pk == second.pk and OutboxMessage.objects.count() == 1 and CALLS == ["a"]


def test_a_failing_task_releases_its_claim_and_a_later_copy_runs(
    eager_celery, django_capture_on_commit_callbacks
):
    # Eager Celery propagates the task's error after commit, as `on_commit(lambda: task.delay())` did.
    with pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.enqueue(probe, value="a", fail=True)
    row = fresh(message)
    assert (row.status, row.delivered_at, row.claimed_at, CALLS) == (OutboxStatus.SENT, None, None, ["a"])
    done = redeliver(message, value="a")
    assert done.get() == "a" and CALLS == ["a", "a"] and fresh(message).delivered_at is not None


def test_claims_a_duplicate_waits_out_a_retry_takes_over():
    with transaction.atomic():
        message = outbox.enqueue(probe, value="a")
    assert outbox.claim_delivery(message.pk, retries=0) is True
    assert outbox.claim_delivery(message.pk, retries=0) is False  # a second copy while the first runs
    assert outbox.claim_delivery(message.pk, retries=1) is True  # Celery's retry of the same delivery
    outbox.release_delivery(message.pk, retries=0)  # the failed first attempt: not its claim any more
    assert fresh(message).claimed_at is not None
    outbox.mark_delivered(message.pk)
    assert outbox.claim_delivery(message.pk, retries=2) is False  # delivered: never again
    # A claim older than the lease (the worker died) can be taken again.
    with transaction.atomic():
        other = outbox.enqueue(probe, value="b")
    assert outbox.claim_delivery(other.pk) is True
    lapsed = timezone.now() - outbox.CLAIM_LEASE - dt.timedelta(seconds=1)
    OutboxMessage.objects.filter(pk=other.pk).update(claimed_at=lapsed)
    assert outbox.claim_delivery(other.pk) is True


def test_a_message_whose_row_is_gone_does_not_run(eager_celery):
    missing = OutboxMessage(pk=uuid.uuid4())
    assert redeliver(missing, value="x").get() is None
    assert CALLS == []


# --- the broker down ------------------------------------------------------------------------------


def test_broker_down_the_commit_costs_milliseconds_and_the_message_waits(
    broker_down, django_capture_on_commit_callbacks, settings
):
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.enqueue(probe, value="a")
    elapsed = time.perf_counter() - started

    assert elapsed < 1  # refused at once (the first publish of a process also imports the transport)
    row = fresh(message)
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.PENDING, 1, None)
    assert "Connection refused" in row.last_error or "111" in row.last_error
    assert dt.timedelta(seconds=1.5) < row.next_attempt_at - timezone.now() <= dt.timedelta(seconds=2)
    assert outbox.broker_seems_down() and CALLS == []

    # While the breaker is open the next commits do not even try.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        second = outbox.enqueue(probe, value="b")
    assert (fresh(second).attempts, fresh(second).last_error) == (0, "")
    grace = dt.timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS - 1)
    assert fresh(second).next_attempt_at > timezone.now() + grace  # the relay loop takes it later


def test_the_relay_backs_off_exponentially_then_gives_up(broker_down, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with transaction.atomic():
        message = outbox.enqueue(probe, value="a")
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())

    waits = []
    for _ in range(3):
        # Measured from before the attempt: the refused connection itself can take a second
        # under load, and the backoff counts from when the relay started, not from when it ended.
        before = timezone.now()
        result = outbox.relay()
        assert (result.published, result.failed) == ([], [message.pk])
        row = fresh(message)
        waits.append(int((row.next_attempt_at - before).total_seconds()))
        assert outbox.relay().failed == []  # not due yet: nothing tried
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    row = fresh(message)
    assert waits == [2, 4, 8]
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert outbox.relay().failed == []  # failed: only "Retry now" sends it again


def test_backoff_doubles_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 2
    settings.OUTBOX_RETRY_MAX_SECONDS = 300
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 8, 9, 50, 10_000)] == [
        2,
        4,
        8,
        256,
        300,
        300,
        300,
    ]


def test_the_relay_takes_due_rows_oldest_first_and_delivers_them_when_eager(eager_celery):
    with transaction.atomic():
        later = outbox.enqueue(probe, value="later")
        first = outbox.enqueue(probe, value="first")
        not_due = outbox.enqueue(probe, value="not due")
    now = timezone.now()
    OutboxMessage.objects.filter(pk=first.pk).update(next_attempt_at=now - dt.timedelta(minutes=2))
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=now - dt.timedelta(minutes=1))
    OutboxMessage.objects.filter(pk=not_due.pk).update(next_attempt_at=now + dt.timedelta(minutes=1))

    result = outbox.relay_all()

    assert result.published == [first.pk, later.pk] and CALLS == ["first", "later"]
    assert fresh(not_due).status == OutboxStatus.PENDING


def test_the_relay_command_once(eager_celery, capsys):
    with transaction.atomic():
        outbox.enqueue(probe, value="a")
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    call_command("relay_outbox", "--once")
    assert capsys.readouterr().out.strip() == "published 1, postponed 0"
    assert CALLS == ["a"]


def test_purge_deletes_old_sent_messages_only(settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    with transaction.atomic():
        old, recent, pending = (outbox.enqueue(probe, value=v) for v in ("old", "recent", "pending"))
    now = timezone.now()
    sent = OutboxMessage.objects.filter(pk__in=[old.pk, recent.pk])
    sent.update(status=OutboxStatus.SENT)
    sent.filter(pk=old.pk).update(sent_at=now - dt.timedelta(days=8))
    sent.filter(pk=recent.pk).update(sent_at=now - dt.timedelta(days=6))
    OutboxMessage.objects.filter(pk=pending.pk).update(created_at=now - dt.timedelta(days=30))

    assert outbox.purge_sent_messages() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}


# --- concurrency (PostgreSQL): two relays never take the same row ---------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_one_relay_is_skipped_by_another(eager_celery):
    # Pending and due, as the after-commit attempt leaves them when the broker is down.
    locked, free = (OutboxMessage.objects.create(task_name=probe.name, kwargs={"value": v}) for v in "ab")
    taken, release = threading.Event(), threading.Event()

    def other_relay():
        from django.db import connection

        try:
            with transaction.atomic():
                list(OutboxMessage.objects.select_for_update().filter(pk=locked.pk))
                taken.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_relay)
    thread.start()
    try:
        assert taken.wait(10)
        started = time.perf_counter()
        result = outbox.relay()
        assert time.perf_counter() - started < 1  # SKIP LOCKED: no waiting
    finally:
        release.set()
        thread.join(10)
    assert result.published == [free.pk] and CALLS == ["b"]
    assert fresh(locked).status == OutboxStatus.PENDING


# --- the admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


URL = "/admin/core/outboxmessage/"


def retry(client, message):
    data = {"action": "retry_now", "_selected_action": [str(message.pk)]}
    return client.post(URL, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")


def test_the_admin_lists_and_filters_read_only(admin_client, broker_down):
    with transaction.atomic():
        pending = outbox.enqueue(probe, value="p")
        sent = outbox.enqueue(probe, value="s")
    OutboxMessage.objects.filter(pk=sent.pk).update(status=OutboxStatus.SENT, sent_at=timezone.now())

    assert admin_client.get(URL).status_code == 200
    listed = admin_client.get(URL, {"status__exact": "pending"}).context["cl"].result_list
    assert [m.pk for m in listed] == [pending.pk]
    assert [m.pk for m in admin_client.get(URL, {"status__exact": "failed"}).context["cl"].result_list] == []
    assert admin_client.get(URL, {"delivered": "no"}).status_code == 200
    page = admin_client.get(f"{URL}{pending.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.get(f"{URL}add/").status_code == 403
    assert admin_client.post(f"{URL}{pending.pk}/delete/", {"post": "yes"}).status_code == 403


def test_retry_now_with_the_broker_down_says_so_and_keeps_the_message(admin_client, broker_down):
    with transaction.atomic():
        message = outbox.enqueue(probe, value="a")
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED, attempts=100)

    response = retry(admin_client, message)

    assert "0 messages published, 1 still pending." in [str(m) for m in response.context["messages"]]
    row = fresh(message)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)  # a fresh series of attempts


def test_retry_now_sends_a_failed_message(admin_client, eager_celery):
    with transaction.atomic():
        message = outbox.enqueue(probe, value="a")
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED, attempts=100)

    response = retry(admin_client, message)

    assert "1 message published, 0 still pending." in [str(m) for m in response.context["messages"]]
    assert fresh(message).status == OutboxStatus.SENT and CALLS == ["a"]


def test_a_staff_member_without_the_permission_cannot_retry(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(URL).status_code == 403
