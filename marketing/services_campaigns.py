"""Campaigns: schedule, start, send in batches (crash-safe), preview and test-send.

The life of a campaign:

1. **Schedule** (``schedule_campaign``): refused in the past, for an empty segment, for a body
   that is not a valid template, or for a promotion whose end is not after the send. A linked
   seasonal promotion gets the campaign's dates (``pricing.services.schedule_promotion``): it is
   live from the moment the e-mail goes out until ``promotion_ends_at``.
2. **Start** (``start_due_campaigns``, beat ``marketing-start-campaigns`` every minute): one
   transaction writes a ``CampaignRecipient`` per member of the segment (consenting, not
   suppressed, at that moment) and queues ``ceil(n / MARKETING_CAMPAIGN_BATCH)`` batch tasks
   through the outbox.
3. **Send** (``send_batch``, task ``send_campaign_batch``): a batch *claims* up to
   ``MARKETING_CAMPAIGN_BATCH`` queued rows (``SELECT ... FOR UPDATE SKIP LOCKED``, then stamps them
   with its claim and the time, and commits), so two workers never take the same row. For each row
   it asks ``may_send`` again (``marketing_email``: a person who unsubscribed since the start is
   *skipped*), sends, and marks the row *sent* right away in its own transaction (autocommit), only
   if it still holds the claim.
4. **Resume** (``resume_stuck_campaigns``, beat ``marketing-resume-campaigns``): a worker that dies
   mid-batch leaves its remaining rows queued under a claim older than
   ``MARKETING_CAMPAIGN_CLAIM_SECONDS``; those rows are claimed again by new batch tasks. Sent rows
   are never claimed again: nobody gets the campaign twice, except possibly the single message
   that was in flight at the very moment of the crash (sent, not yet marked). A campaign with
   nothing queued left is *sent*.

Each recipient reads the campaign in their ``preferred_language`` (fr, en, it) when it is written
in it, else in French. Bodies are Django templates with ``{% products "for_you" %}`` (co-purchase
recommendations for the recipient) and ``{% products "chosen" %}`` (the campaign's products); an
unsubscribe footer is appended to every message.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Max, Q
from django.template import TemplateSyntaxError, engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Product
from core import outbox
from core.errors import ValidationFailed
from pricing import services as pricing_services

from . import messages, recommendations, tasks
from .campaign_models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus
from .models import Channel
from .services_segments import member_count, segment_members

LANGUAGES = ("fr", "en", "it")
BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|tr|td|table)>|<br\s*/?>", re.IGNORECASE)
FALLBACK_LANGUAGE = "fr"
FOR_YOU, CHOSEN = "for_you", "chosen"
PRODUCTS_PER_BLOCK = 4


class CampaignRefused(ValidationFailed):
    code = "campaign_refused"
    default_message = "This campaign cannot be scheduled."


def batch_size() -> int:
    return int(getattr(settings, "MARKETING_CAMPAIGN_BATCH", 500))


def claim_seconds() -> int:
    return int(getattr(settings, "MARKETING_CAMPAIGN_CLAIM_SECONDS", 600))


# --- rendering ------------------------------------------------------------------------------------


def language_of(campaign: Campaign, preferred: str) -> str:
    """The recipient's language when the campaign is written in it, else French."""
    lang = (preferred or "").split("-")[0].lower()
    if lang in LANGUAGES and getattr(campaign, f"subject_{lang}") and getattr(campaign, f"body_{lang}"):
        return lang
    return FALLBACK_LANGUAGE


def check_template(body: str) -> None:
    """Raise ``TemplateSyntaxError`` when a body is not a valid campaign template."""
    engines["django"].from_string("{% load campaign_blocks %}" + body)


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    html: str
    text: str


@dataclass
class Renderer:
    """Compiles a campaign's templates once and renders them for many recipients."""

    campaign: Campaign
    templates: dict[str, Any] = field(default_factory=dict)
    cards: dict[int, dict[str, str]] = field(default_factory=dict)
    chosen: list[int] = field(default_factory=list)
    for_you: dict[int, list[int]] = field(default_factory=dict)

    @property
    def wants_for_you(self) -> bool:
        return any(FOR_YOU in (getattr(self.campaign, f"body_{lang}") or "") for lang in LANGUAGES)

    def prepare(self, customer_ids: Sequence[int]) -> Renderer:
        """Recommendations for these customers and every product card they need: a few queries."""
        self.chosen = list(self.campaign.products.filter(is_published=True).values_list("pk", flat=True))[
            :PRODUCTS_PER_BLOCK
        ]
        if self.wants_for_you and customer_ids:
            self.for_you = recommendations.recommend_for_customers(customer_ids, limit=PRODUCTS_PER_BLOCK)
        wanted = set(self.chosen) | {pk for ids in self.for_you.values() for pk in ids}
        products = Product.objects.filter(pk__in=wanted).prefetch_related("images")
        for product in products:
            image = next(iter(product.images.all()), None)
            image_url = ""
            if image is not None:
                image_url = image.url or (messages.site_url() + image.image.url if image.image else "")
            self.cards[product.pk] = {"name": product.name, "slug": product.slug, "image": image_url}
        return self

    def _cards(self, ids: Iterable[int], language: str) -> list[dict[str, str]]:
        with translation.override(language):
            return [
                {
                    **self.cards[pk],
                    "url": messages.site_url() + reverse("catalog:product", args=[self.cards[pk]["slug"]]),
                }
                for pk in ids
                if pk in self.cards
            ]

    def render(self, *, customer: User | None, address: str, preferred: str) -> Rendered:
        language = language_of(self.campaign, preferred)
        template = self.templates.get(language)
        if template is None:
            body = getattr(self.campaign, f"body_{language}")
            template = self.templates[language] = engines["django"].from_string(
                "{% load campaign_blocks %}" + body
            )
        unsubscribe = messages.unsubscribe_url(address=address)
        context = {
            "first_name": customer.first_name if customer else "",
            "last_name": customer.last_name if customer else "",
            "email": address,
            CHOSEN: self._cards(self.chosen, language),
            FOR_YOU: self._cards(self.for_you.get(customer.pk, []) if customer else [], language),
            "unsubscribe_url": unsubscribe,
        }
        with translation.override(language):
            body = template.render(context)
            footer = {"unsubscribe_url": unsubscribe}
            html = body + render_to_string("marketing/email/campaign_footer.html", footer)
            text = (
                html_to_text(body) + "\n\n" + render_to_string("marketing/email/campaign_footer.txt", footer)
            )
            subject = getattr(self.campaign, f"subject_{language}")
        return Rendered(language=language, subject=subject, html=html, text=text.strip())


def html_to_text(html: str) -> str:
    """The plain-text part: one line per block, tags stripped."""
    spaced = BLOCK_END.sub("\n", html)
    lines = (line.strip() for line in unescape(strip_tags(spaced)).splitlines())
    return "\n".join(line for line in lines if line)


def sample_recipient(campaign: Campaign) -> User | None:
    """The first member of the campaign's segment (a preview shows a real person's recommendations)."""
    return segment_members(campaign.segment, channel=Channel.EMAIL).order_by("pk").first()


def preview(*, campaign: Campaign, customer: User | None = None, language: str | None = None) -> Rendered:
    """The message as ``customer`` (or the segment's first member) would receive it."""
    customer = customer or sample_recipient(campaign)
    renderer = Renderer(campaign).prepare([customer.pk] if customer else [])
    return renderer.render(
        customer=customer,
        address=customer.email if customer else "preview@example.com",
        preferred=language or (customer.preferred_language if customer else FALLBACK_LANGUAGE),
    )


def send_test(
    *, campaign: Campaign, to: str, language: str | None = None, customer: User | None = None
) -> Rendered:
    """Send the campaign as the sample recipient would get it, to a staff address: no consent asked
    (it is not marketing to that address), no recipient row, subject marked as a test."""
    address = to.strip().lower()
    rendered = preview(campaign=campaign, customer=customer, language=language)
    message = EmailMultiAlternatives(
        subject=f"[TEST] {rendered.subject}",
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers=messages.unsubscribe_headers(address=address),
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()
    return rendered


# --- scheduling -----------------------------------------------------------------------------------


def _refuse(field_name: str, message: str) -> CampaignRefused:
    return CampaignRefused(message, detail={field_name: [message]})


def validate_schedule(
    *, campaign: Campaign, send_at: dt.datetime | None, now: dt.datetime | None = None
) -> int:
    """Every reason not to schedule, as a ``CampaignRefused``; else the segment's member count."""
    now = now or timezone.now()
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise _refuse("status", _("Only a draft or scheduled campaign can be scheduled."))
    if send_at is None:
        raise _refuse("send_at", _("Choose when to send the campaign."))
    if send_at < now - dt.timedelta(minutes=1):
        raise _refuse("send_at", _("The sending time is in the past."))
    if campaign.segment.channel != Channel.EMAIL:
        raise _refuse("segment", _("Campaigns are e-mails: choose an e-mail segment."))
    for lang in LANGUAGES:
        try:
            check_template(getattr(campaign, f"body_{lang}") or "")
        except TemplateSyntaxError as exc:
            raise _refuse(
                f"body_{lang}", _("The body is not a valid template: %(error)s") % {"error": exc}
            ) from exc
    if campaign.promotion_id is not None and (
        campaign.promotion_ends_at is None or campaign.promotion_ends_at <= send_at
    ):
        raise _refuse("promotion_ends_at", _("The promotion must end after the e-mail is sent."))
    count = member_count(campaign.segment, channel=Channel.EMAIL)
    if count == 0:
        raise _refuse("segment", _("The segment has no consenting member: nobody would receive it."))
    return count


@transaction.atomic
def schedule_campaign(*, campaign_id: int, send_at: dt.datetime, now: dt.datetime | None = None) -> Campaign:
    """Schedule (or reschedule) a campaign and its seasonal promotion."""
    campaign = Campaign.objects.select_for_update().select_related("segment").get(pk=campaign_id)
    validate_schedule(campaign=campaign, send_at=send_at, now=now)
    campaign.send_at = send_at
    campaign.status = CampaignStatus.SCHEDULED
    campaign.save(update_fields=["send_at", "status"])
    if campaign.promotion_id is not None and campaign.promotion_ends_at is not None:
        pricing_services.schedule_promotion(
            promotion_id=campaign.promotion_id, starts_at=send_at, ends_at=campaign.promotion_ends_at
        )
    return campaign


@transaction.atomic
def cancel_campaign(*, campaign_id: int) -> Campaign:
    """Stop a scheduled or sending campaign: queued rows stay unsent; its promotion is switched off."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING):
        campaign.status = CampaignStatus.CANCELLED
        campaign.save(update_fields=["status"])
        if campaign.promotion_id is not None:
            pricing_services.set_promotion_active(promotion_id=campaign.promotion_id, active=False)
    return campaign


# --- starting and sending -------------------------------------------------------------------------


def start_due_campaigns(*, now: dt.datetime | None = None) -> list[int]:
    """Start every scheduled campaign whose time has come; their ids."""
    now = now or timezone.now()
    due = list(
        Campaign.objects.filter(status=CampaignStatus.SCHEDULED, send_at__lte=now)
        .order_by("send_at", "pk")
        .values_list("pk", flat=True)
    )
    return [pk for pk in due if start_campaign(campaign_id=pk, now=now) is not None]


@transaction.atomic
def start_campaign(*, campaign_id: int, now: dt.datetime | None = None) -> int | None:
    """Write the recipients (members at this moment) and queue the batches; None when the campaign
    is no longer scheduled (another beat started it)."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().select_related("segment").get(pk=campaign_id)
    if campaign.status != CampaignStatus.SCHEDULED:
        return None
    members = segment_members(campaign.segment, channel=Channel.EMAIL).order_by("pk")
    rows: list[CampaignRecipient] = []
    total = 0
    for pk, email, language in members.values_list("pk", "email", "preferred_language").iterator(
        chunk_size=5000
    ):
        rows.append(
            CampaignRecipient(campaign=campaign, customer_id=pk, email=email.lower(), language=language or "")
        )
        if len(rows) >= 5000:
            total += len(CampaignRecipient.objects.bulk_create(rows, ignore_conflicts=True))
            rows = []
    if rows:
        total += len(CampaignRecipient.objects.bulk_create(rows, ignore_conflicts=True))
    campaign.status = CampaignStatus.SENDING if total else CampaignStatus.SENT
    campaign.started_at = now
    campaign.finished_at = None if total else now
    campaign.save(update_fields=["status", "started_at", "finished_at"])
    _queue_batches(campaign_id=campaign.pk, rows=total)
    return total


def _queue_batches(*, campaign_id: int, rows: int) -> int:
    batches = math.ceil(rows / batch_size())
    for _n in range(batches):
        outbox.enqueue(tasks.send_campaign_batch, campaign_id=campaign_id)
    return batches


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def _claim(*, campaign_id: int, size: int, now: dt.datetime) -> uuid.UUID | None:
    stale = now - dt.timedelta(seconds=claim_seconds())
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            CampaignRecipient.objects.select_for_update(skip_locked=True)
            .filter(campaign_id=campaign_id, status=RecipientStatus.QUEUED)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return None
        CampaignRecipient.objects.filter(pk__in=ids).update(claim=token, claimed_at=now)
    return token


def _mark(*, row: CampaignRecipient, token: uuid.UUID, status: str, error: str = "") -> None:
    # Autocommit: one UPDATE is its own transaction, committed before the next message leaves.
    CampaignRecipient.objects.filter(pk=row.pk, claim=token, status=RecipientStatus.QUEUED).update(
        status=status, sent_at=timezone.now() if status == RecipientStatus.SENT else None, error=error[:400]
    )


def send_batch(*, campaign_id: int, size: int | None = None, now: dt.datetime | None = None) -> BatchResult:
    """Claim up to ``size`` queued recipients and send them their message, one by one."""
    result = BatchResult()
    campaign = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).first()
    if campaign is None:
        return result
    token = _claim(campaign_id=campaign_id, size=size or batch_size(), now=now or timezone.now())
    if token is None:
        _finish_if_done(campaign_id=campaign_id)
        return result
    rows = list(
        CampaignRecipient.objects.filter(claim=token, status=RecipientStatus.QUEUED)
        .select_related("customer")
        .order_by("pk")
    )
    result.claimed = len(rows)
    renderer = Renderer(campaign).prepare([row.customer_id for row in rows])
    connection = get_connection()
    connection.open()
    try:
        for index, row in enumerate(rows):
            if index and index % 50 == 0 and not _still_sending(campaign_id):
                break  # cancelled meanwhile: the rest stays queued
            try:
                rendered = renderer.render(customer=row.customer, address=row.email, preferred=row.language)
                message = messages.marketing_email(
                    to=row.email,
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    headers={"X-Campaign": str(campaign_id)},
                )
                if message is None:
                    _mark(row=row, token=token, status=RecipientStatus.SKIPPED, error="no consent")
                    result.skipped += 1
                    continue
                message.connection = connection
                message.send()
            except Exception as exc:  # this recipient's message failed; the others go on
                _mark(
                    row=row, token=token, status=RecipientStatus.FAILED, error=f"{type(exc).__name__}: {exc}"
                )
                result.failed += 1
                continue
            _mark(row=row, token=token, status=RecipientStatus.SENT)
            result.sent += 1
    finally:
        connection.close()
    _finish_if_done(campaign_id=campaign_id)
    return result


def _still_sending(campaign_id: int) -> bool:
    return Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).exists()


def _finish_if_done(*, campaign_id: int) -> None:
    if not CampaignRecipient.objects.filter(campaign_id=campaign_id, status=RecipientStatus.QUEUED).exists():
        Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).update(
            status=CampaignStatus.SENT, finished_at=timezone.now()
        )


@transaction.atomic
def resume_stuck_campaigns(*, now: dt.datetime | None = None) -> int:
    """Queue batches again for rows a dead worker claimed (claim older than the claim time), and
    for queued rows nobody has touched for that long (a lost task); the number of batches queued."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=claim_seconds())
    queued = 0
    for campaign in Campaign.objects.select_for_update(skip_locked=True).filter(
        status=CampaignStatus.SENDING
    ):
        rows = CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.QUEUED)
        stuck = rows.filter(claimed_at__lt=stale).count()
        latest = rows.aggregate(latest=Max("claimed_at"))["latest"]
        if (latest is None or latest < stale) and campaign.started_at and campaign.started_at < stale:
            stuck += rows.filter(claimed_at__isnull=True).count()
        if stuck:
            queued += _queue_batches(campaign_id=campaign.pk, rows=stuck)
        elif not rows.exists():
            _finish_if_done(campaign_id=campaign.pk)
    return queued
