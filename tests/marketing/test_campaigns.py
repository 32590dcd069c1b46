"""Campaigns: scheduling (and its seasonal promotion), sending in batches once per recipient, in
their language, with the unsubscribe headers; a worker that dies mid-batch is resumed without
sending anyone twice."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from marketing import services, services_campaigns
from marketing.models import Campaign, CampaignRecipient, CampaignStatus, Segment
from marketing.services_campaigns import CampaignRefused
from pricing.models import DiscountKind, Promotion
from tests.marketing.campaign_support import CrashingBackend, WorkerDied, customer
from tests.outbox_support import broker_down  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

BODY_FR = "<p>Bonjour {{ first_name }}, les soldes commencent.</p>"
BODY_EN = "<p>Hello {{ first_name }}, the sale starts.</p>"


def make_campaign(segment: Segment | None = None, **fields) -> Campaign:
    values = {
        "name": "Summer sale",
        "segment": segment or Segment.objects.create(name="Everyone"),
        "subject_fr": "Les soldes",
        "body_fr": BODY_FR,
        "subject_en": "The sale",
        "body_en": BODY_EN,
        **fields,
    }
    return Campaign.objects.create(**values)


@pytest.fixture
def crowd():
    """Six consenting customers (French, English, Italian: no Italian text) and one who does not."""
    people = [
        customer("a@example.com", first_name="Ana"),
        customer("b@example.com", language="en", first_name="Bob"),
        customer("c@example.com", language="it", first_name="Carla"),
        customer("d@example.com"),
        customer("e@example.com"),
        customer("f@example.com"),
    ]
    customer("nope@example.com", consent=False)
    return people


def start(campaign, django_capture_on_commit_callbacks, **kwargs):
    services_campaigns.schedule_campaign(campaign_id=campaign.pk, send_at=timezone.now(), **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        return services_campaigns.start_due_campaigns(now=timezone.now() + dt.timedelta(seconds=1))


def test_batches_send_each_consenting_recipient_once_in_their_language(
    crowd, eager_celery, settings, django_capture_on_commit_callbacks
):
    settings.MARKETING_CAMPAIGN_BATCH = 4  # six recipients: two batch tasks
    campaign = make_campaign()

    assert start(campaign, django_capture_on_commit_callbacks) == [campaign.pk]

    sent = sorted(mail.outbox, key=lambda m: m.to[0])
    assert [m.to[0] for m in sent] == [f"{x}@example.com" for x in "abcdef"]
    assert [m.subject for m in sent[:3]] == ["Les soldes", "The sale", "Les soldes"]  # Italian: French
    assert "Bonjour Ana" in sent[0].alternatives[0][0]
    assert "Hello Bob" in sent[1].alternatives[0][0]
    assert "/u/" in sent[0].body  # the unsubscribe link in the text too
    assert sent[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent[0].extra_headers["List-Unsubscribe"].startswith("<http")
    rows = CampaignRecipient.objects.filter(campaign=campaign)
    assert sorted(rows.values_list("status", flat=True)) == ["sent"] * 6
    assert all(r.sent_at is not None for r in rows)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT and campaign.finished_at is not None

    # another batch, another beat: nobody gets it twice
    assert services_campaigns.send_batch(campaign_id=campaign.pk).claimed == 0
    assert services_campaigns.start_due_campaigns() == []
    assert len(mail.outbox) == 6


def test_consent_is_checked_again_at_send_time(crowd, settings, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    services_campaigns.schedule_campaign(campaign_id=campaign.pk, send_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False):  # recipients written, batches not run yet
        services_campaigns.start_due_campaigns(now=timezone.now() + dt.timedelta(seconds=1))
    services.withdraw(person="b@example.com")
    services.suppress(address="c@example.com", reason="hard_bounce")

    result = services_campaigns.send_batch(campaign_id=campaign.pk)

    assert (result.sent, result.skipped, result.failed) == (4, 2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == [f"{x}@example.com" for x in "adef"]
    statuses = dict(CampaignRecipient.objects.values_list("email", "status"))
    assert statuses["b@example.com"] == statuses["c@example.com"] == "skipped"


def test_a_worker_dying_mid_batch_is_resumed_and_nobody_gets_it_twice(
    crowd, eager_celery, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.marketing.campaign_support.CrashingBackend"
    CrashingBackend.calls, CrashingBackend.die_at = 0, 3  # dies while sending the third message
    campaign = make_campaign()
    services_campaigns.schedule_campaign(campaign_id=campaign.pk, send_at=timezone.now())

    with pytest.raises(WorkerDied), django_capture_on_commit_callbacks(execute=True):
        services_campaigns.start_due_campaigns(now=timezone.now() + dt.timedelta(seconds=1))

    assert len(mail.outbox) == 2
    rows = CampaignRecipient.objects.filter(campaign=campaign)
    assert rows.filter(status="sent").count() == 2
    assert rows.filter(status="queued", claim__isnull=False).count() == 4  # the dead worker's claim
    # beat's resume leaves a fresh claim alone (its worker may still be running)...
    with django_capture_on_commit_callbacks(execute=True):
        assert services_campaigns.resume_stuck_campaigns() == 0
    assert len(mail.outbox) == 2
    # ...and takes it over once it is stale
    settings.MARKETING_CAMPAIGN_CLAIM_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services_campaigns.resume_stuck_campaigns(now=timezone.now() + dt.timedelta(seconds=1)) == 1

    addresses = [m.to[0] for m in mail.outbox]
    assert sorted(addresses) == [f"{x}@example.com" for x in "abcdef"]  # everyone once
    assert rows.filter(status="sent").count() == 6
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker_down")
def test_two_workers_claiming_at_once_never_send_the_same_row():
    for n in range(40):
        customer(f"p{n:02d}@example.com")
    campaign = make_campaign()
    services_campaigns.schedule_campaign(campaign_id=campaign.pk, send_at=timezone.now())
    services_campaigns.start_campaign(
        campaign_id=campaign.pk
    )  # its batch tasks wait in the outbox (broker down)
    barrier = threading.Barrier(3)
    claimed: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            while (result := services_campaigns.send_batch(campaign_id=campaign.pk, size=3)).claimed:
                claimed.append(result.claimed)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    addresses = [m.to[0] for m in mail.outbox]
    assert len(addresses) == 40 == len(set(addresses)) == sum(claimed)
    assert CampaignRecipient.objects.filter(status="sent").count() == 40
    assert Campaign.objects.get().status == CampaignStatus.SENT


def test_scheduling_a_campaign_schedules_its_seasonal_promotion(crowd):
    now = timezone.now()
    promotion = Promotion.objects.create(
        name="Summer -20%",
        kind=DiscountKind.PERCENT,
        value=Decimal("20"),
        starts_at=now - dt.timedelta(days=30),
        ends_at=now - dt.timedelta(days=29),
        is_active=False,
    )
    send_at = now + dt.timedelta(days=2)
    ends = now + dt.timedelta(days=16)
    campaign = make_campaign(promotion=promotion, promotion_ends_at=ends)

    services_campaigns.schedule_campaign(campaign_id=campaign.pk, send_at=send_at)

    promotion.refresh_from_db()
    assert (promotion.starts_at, promotion.ends_at, promotion.is_active) == (send_at, ends, True)
    services_campaigns.cancel_campaign(campaign_id=campaign.pk)
    promotion.refresh_from_db()
    assert promotion.is_active is False
    assert Campaign.objects.get().status == CampaignStatus.CANCELLED


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"send_at": -3600}, "send_at", "The sending time is in the past."),
        ({"segment": "empty"}, "segment", "The segment has no consenting member: nobody would receive it."),
        ({"body_fr": "{% products 'everything' %}"}, "body_fr", "The body is not a valid template"),
        ({"promotion_ends_at": -60}, "promotion_ends_at", "The promotion must end after the e-mail is sent."),
    ],
)
def test_scheduling_refusals_change_nothing(crowd, change, field, message):
    now = timezone.now()
    fields = {}
    if change.get("segment") == "empty":
        fields["segment"] = Segment.objects.create(name="Nobody", city="Nowhere")
    if "body_fr" in change:
        fields["body_fr"] = change["body_fr"]
    if "promotion_ends_at" in change:
        fields["promotion"] = Promotion.objects.create(
            name="P",
            kind=DiscountKind.PERCENT,
            value=Decimal("10"),
            starts_at=now,
            ends_at=now + dt.timedelta(1),
        )
        fields["promotion_ends_at"] = now + dt.timedelta(hours=1, seconds=change["promotion_ends_at"])
    campaign = make_campaign(**fields)
    send_at = now + dt.timedelta(hours=1, seconds=change.get("send_at", 0) * 2)

    with pytest.raises(CampaignRefused) as refused:
        services_campaigns.schedule_campaign(campaign_id=campaign.pk, send_at=send_at)

    assert message in str(refused.value.message)
    assert field in refused.value.detail
    campaign.refresh_from_db()
    assert (campaign.status, campaign.send_at) == (CampaignStatus.DRAFT, None)
    assert not CampaignRecipient.objects.exists()
