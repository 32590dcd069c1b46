"""Marketing consent: ask, confirm, withdraw, suppress, and the one question every sender asks.

Every change of a ``Consent`` writes a ``ConsentEvent`` (the proof) in the same transaction. The
newsletter is double opt-in: ``request_newsletter`` leaves the consent *pending* and e-mails a signed
link that expires (``MARKETING_CONFIRM_MAX_AGE``); only ``confirm`` grants. A customer who ticks
the box of the sign-up or profile form (signed in, on their own account) is granted at once
(``record_account_consent``).

``accounts.CustomerProfile.marketing_opt_in`` stays as the portal form's field and mirrors the
e-mail consent of the account: ``record_account_consent`` is called by the portal after the profile
is saved, and every e-mail consent change of a linked account writes the flag back (an unsubscribe
link unticks the box). Senders ask ``may_send``, never the flag.
"""

from __future__ import annotations

import contextlib

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, Q
from django.utils import translation

from accounts.models import CustomerProfile, User
from core import outbox
from core.errors import ValidationFailed
from core.sms import normalize_phone

from . import tasks, tokens
from .errors import AddressSuppressed, InvalidAddress, InvalidLink
from .models import (
    Channel,
    Consent,
    ConsentEvent,
    ConsentSource,
    ConsentStatus,
    Suppression,
    SuppressionReason,
)

# Suppressions a fresh, confirmed opt-in may lift; a bounce or a complaint stays.
LIFTABLE = {SuppressionReason.UNSUBSCRIBED}


def normalize_address(*, channel: str, address: str) -> str:
    address = (address or "").strip()
    if channel == Channel.EMAIL:
        address = address.lower()
        try:
            validate_email(address)
        except DjangoValidationError as exc:
            raise InvalidAddress(detail={"email": ["invalid"]}) from exc
        return address
    if channel == Channel.SMS:
        return normalize_phone(address)
    raise InvalidAddress(detail={"channel": ["unknown"]})


def address_of(*, person: User | AbstractBaseUser | str, channel: str) -> str | None:
    """The address of a person on a channel: a bare address is normalised; an account gives its
    e-mail or phone (None when it has none)."""
    if isinstance(person, str):
        return normalize_address(channel=channel, address=person)
    raw = getattr(person, "email" if channel == Channel.EMAIL else "phone", "") or ""
    if not raw:
        return None
    try:
        return normalize_address(channel=channel, address=raw)
    except ValidationFailed:
        return None


def _change(
    *,
    consent: Consent,
    status: str,
    source: str,
    text_shown: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
    actor: User | None = None,
    note: str = "",
) -> Consent:
    consent.status = status
    consent.save()
    ConsentEvent.objects.create(
        consent=consent,
        status=status,
        source=source,
        text_shown=text_shown,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:400],
        actor=actor,
        note=note[:200],
    )
    if consent.channel == Channel.EMAIL and consent.user_id is not None:
        CustomerProfile.objects.filter(user_id=consent.user_id).exclude(
            marketing_opt_in=(status == ConsentStatus.GRANTED)
        ).update(marketing_opt_in=(status == ConsentStatus.GRANTED))
    return consent


def _locked(*, channel: str, address: str, user: User | None = None) -> Consent:
    consent, _created = Consent.objects.select_for_update().get_or_create(
        channel=channel, address=address, defaults={"user": user}
    )
    if user is not None and consent.user_id is None:
        consent.user = user
    return consent


def _user_for_email(address: str) -> User | None:
    return User.objects.filter(email__iexact=address).first()


@transaction.atomic
def request_newsletter(
    *,
    email: str,
    text_shown: str,
    source: str = ConsentSource.NEWSLETTER_FORM,
    ip_address: str | None = None,
    user_agent: str = "",
    language: str = "",
) -> Consent:
    """Double opt-in, step one: the consent is pending and a confirmation e-mail leaves after commit.
    Already granted: nothing changes, nothing is sent. A bounced or complaining address is refused."""
    address = normalize_address(channel=Channel.EMAIL, address=email)
    blocked = Suppression.objects.filter(channel=Channel.EMAIL, address=address).first()
    if blocked is not None and blocked.reason not in LIFTABLE:
        raise AddressSuppressed()
    consent = _locked(channel=Channel.EMAIL, address=address, user=_user_for_email(address))
    if consent.status == ConsentStatus.GRANTED:
        return consent
    consent.language = language or translation.get_language() or ""
    _change(
        consent=consent,
        status=ConsentStatus.PENDING,
        source=source,
        text_shown=text_shown,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    outbox.enqueue(tasks.send_newsletter_confirmation, consent_id=consent.pk)
    return consent


def confirmation_token(consent: Consent) -> str:
    return tokens.make(salt=tokens.CONFIRM_SALT, channel=consent.channel, address=consent.address)


@transaction.atomic
def confirm(*, token: str, ip_address: str | None = None, user_agent: str = "") -> Consent:
    """Double opt-in, step two: a valid, unexpired link grants the pending consent. The event keeps
    the text shown at sign-up (what the person agreed to)."""
    channel, address = tokens.read(salt=tokens.CONFIRM_SALT, token=token, max_age=tokens.confirm_max_age())
    consent = Consent.objects.select_for_update().filter(channel=channel, address=address).first()
    if consent is None:
        raise InvalidLink()
    if consent.status == ConsentStatus.GRANTED:
        return consent
    if consent.status != ConsentStatus.PENDING:
        raise InvalidLink(detail={"token": ["no longer pending"]})
    asked = consent.events.filter(status=ConsentStatus.PENDING).order_by("-created_at", "-pk").first()
    blocked = Suppression.objects.filter(channel=channel, address=address).first()
    if blocked is not None:
        if blocked.reason not in LIFTABLE:
            raise AddressSuppressed()
        blocked.delete()
    return _change(
        consent=consent,
        status=ConsentStatus.GRANTED,
        source=ConsentSource.DOUBLE_OPT_IN,
        text_shown=asked.text_shown if asked else "",
        ip_address=ip_address,
        user_agent=user_agent,
    )


@transaction.atomic
def record_account_consent(
    *,
    user: User,
    granted: bool,
    source: str,
    text_shown: str,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Consent | None:
    """The account's e-mail box ticked or unticked on a form the customer submitted signed in.
    Only a change writes an event; None when the account has no usable address."""
    address = address_of(person=user, channel=Channel.EMAIL)
    if address is None:
        return None
    if not granted and not Consent.objects.filter(channel=Channel.EMAIL, address=address).exists():
        return None  # never asked, still not asked: nothing to record
    consent = _locked(channel=Channel.EMAIL, address=address, user=user)
    if granted:
        if consent.status == ConsentStatus.GRANTED:
            return consent
        blocked = Suppression.objects.filter(channel=Channel.EMAIL, address=address).first()
        if blocked is not None:
            if blocked.reason not in LIFTABLE:
                return _change(
                    consent=consent,
                    status=ConsentStatus.SUPPRESSED,
                    source=source,
                    text_shown=text_shown,
                    ip_address=ip_address,
                    user_agent=user_agent,
                    note="asked again; the address stays suppressed",
                )
            blocked.delete()
        status: str = ConsentStatus.GRANTED
    else:
        if consent.status in (ConsentStatus.WITHDRAWN, ConsentStatus.SUPPRESSED):
            return consent
        status = ConsentStatus.WITHDRAWN
    return _change(
        consent=consent,
        status=status,
        source=source,
        text_shown=text_shown,
        ip_address=ip_address,
        user_agent=user_agent,
    )


@transaction.atomic
def withdraw(
    *,
    person: User | str,
    channel: str = Channel.EMAIL,
    source: str = ConsentSource.UNSUBSCRIBE_LINK,
    ip_address: str | None = None,
    user_agent: str = "",
    actor: User | None = None,
) -> Consent | None:
    """The person no longer wants marketing on this channel. Idempotent; None for an account
    without an address on the channel."""
    address = address_of(person=person, channel=channel)
    if address is None:
        return None
    consent = _locked(channel=channel, address=address, user=person if isinstance(person, User) else None)
    if consent.status in (ConsentStatus.WITHDRAWN, ConsentStatus.SUPPRESSED) and consent.events.exists():
        return consent
    return _change(
        consent=consent,
        status=ConsentStatus.WITHDRAWN,
        source=source,
        ip_address=ip_address,
        user_agent=user_agent,
        actor=actor,
    )


@transaction.atomic
def unsubscribe(*, token: str, ip_address: str | None = None, user_agent: str = "") -> Consent | None:
    """The one-click unsubscribe link (RFC 8058) of a marketing message."""
    channel, address = tokens.read(
        salt=tokens.UNSUBSCRIBE_SALT, token=token, max_age=tokens.unsubscribe_max_age()
    )
    return withdraw(person=address, channel=channel, ip_address=ip_address, user_agent=user_agent)


def unsubscribe_token(*, channel: str, address: str) -> str:
    return tokens.make(salt=tokens.UNSUBSCRIBE_SALT, channel=channel, address=address)


@transaction.atomic
def suppress(
    *,
    address: str,
    reason: str,
    channel: str = Channel.EMAIL,
    detail: str = "",
    actor: User | None = None,
) -> Suppression:
    """Nothing marketing reaches this address any more. A hard bounce or a complaint also moves the
    consent to *suppressed*, an unsubscribe to *withdrawn*, each with its event. Idempotent."""
    if reason not in SuppressionReason.values:
        raise InvalidAddress(detail={"reason": ["unknown"]})
    address = normalize_address(channel=channel, address=address)
    suppression, _created = Suppression.objects.get_or_create(
        channel=channel, address=address, defaults={"reason": reason, "detail": detail[:400]}
    )
    if not _created and suppression.reason == SuppressionReason.UNSUBSCRIBED and reason not in LIFTABLE:
        suppression.reason, suppression.detail = reason, detail[:400]
        suppression.save(update_fields=["reason", "detail"])
    consent = Consent.objects.select_for_update().filter(channel=channel, address=address).first()
    target = ConsentStatus.WITHDRAWN if reason in LIFTABLE else ConsentStatus.SUPPRESSED
    if consent is not None and consent.status != target:
        source = {
            SuppressionReason.HARD_BOUNCE: ConsentSource.BOUNCE,
            SuppressionReason.COMPLAINT: ConsentSource.COMPLAINT,
        }.get(SuppressionReason(reason), ConsentSource.UNSUBSCRIBE_LINK)
        _change(consent=consent, status=target, source=source, actor=actor, note=detail)
    return suppression


def may_send(*, person: User | str, channel: str = Channel.EMAIL) -> bool:
    """True only with a granted consent and no suppression for the person's address on the channel."""
    try:
        address = address_of(person=person, channel=channel)
    except ValidationFailed:  # not an address (nor a phone number): no consent can exist for it
        return False
    if address is None:
        return False
    # One query (campaigns ask it once per message): granted and not suppressed.
    suppressed = Suppression.objects.filter(channel=channel, address=address)
    return (
        Consent.objects.filter(channel=channel, address=address, status=ConsentStatus.GRANTED)
        .exclude(Exists(suppressed))
        .exists()
    )


# --- delivery events from the e-mail provider (marketing.webhooks) --------------------------------

# A provider's event type (Anymail's normalised names) -> the suppression it means.
DELIVERY_SUPPRESSIONS = {
    "bounced": SuppressionReason.HARD_BOUNCE,
    "complained": SuppressionReason.COMPLAINT,
    "unsubscribed": SuppressionReason.UNSUBSCRIBED,
}
# Postmark reports these as "bounced" too, but they are not permanent: the address stays.
SOFT_BOUNCE_TYPES = {"SoftBounce", "VirusNotification"}


def record_delivery_event(
    *, event_type: str, recipient: str, provider: str, reject_reason: str = "", esp_type: str = ""
) -> Suppression | None:
    """What the e-mail provider said about a message (a hard bounce, a complaint, an unsubscribe
    through the provider): suppress the address, with the provider's words as the detail. Other events
    (delivered, opened, a soft bounce) and recipients that are not e-mail addresses change nothing."""
    reason = DELIVERY_SUPPRESSIONS.get(event_type)
    if event_type == "rejected" and reject_reason == "invalid":  # the address does not exist
        reason = SuppressionReason.HARD_BOUNCE
    if reason is None or esp_type in SOFT_BOUNCE_TYPES or not recipient:
        return None
    try:
        address = normalize_address(channel=Channel.EMAIL, address=recipient)
    except ValidationFailed:
        return None
    detail = " ".join(part for part in (provider, event_type, esp_type or reject_reason) if part)
    return suppress(address=address, reason=reason, channel=Channel.EMAIL, detail=detail)


# --- account closed (accounts.events.AccountClosed, marketing.subscribers) ------------------------

ACCOUNT_CLOSED_NOTE = "account closed"


def withdraw_closed_account(*, user_id: int, email: str, phone: str) -> list[Consent]:
    """A closed account gets no more marketing, on any channel: every consent linked to it or kept
    for its e-mail or phone that is granted or pending becomes *withdrawn*, each with an event
    (source: the account pages, note "account closed"). Suppressed and withdrawn ones stay as they
    are. Runs in ``close_account``'s transaction; returns the consents changed."""
    addresses = Q(user_id=user_id)
    for channel, raw in ((Channel.EMAIL, email), (Channel.SMS, phone)):
        if raw:
            with contextlib.suppress(ValidationFailed):  # not an address: only the user link counts
                addresses |= Q(channel=channel, address=normalize_address(channel=channel, address=raw))
    changed = []
    with transaction.atomic():
        consents = Consent.objects.select_for_update().filter(addresses).order_by("pk")
        for consent in consents:
            if consent.status in (ConsentStatus.GRANTED, ConsentStatus.PENDING):
                changed.append(
                    _change(
                        consent=consent,
                        status=ConsentStatus.WITHDRAWN,
                        source=ConsentSource.PROFILE_FORM,
                        note=ACCOUNT_CLOSED_NOTE,
                    )
                )
    return changed


@transaction.atomic
def grant(
    *,
    address: str,
    source: str,
    text_shown: str,
    ip_address: str | None = None,
    user_agent: str = "",
    language: str = "",
) -> Consent:
    """A box the person ticked themselves (the checkout's cart reminders): the e-mail consent is
    granted with its proof. An unsubscribe is lifted by this fresh consent; a hard bounce or a
    complaint stays (the consent is recorded *suppressed*). Already granted: nothing changes."""
    address = normalize_address(channel=Channel.EMAIL, address=address)
    consent = _locked(channel=Channel.EMAIL, address=address, user=_user_for_email(address))
    if consent.status == ConsentStatus.GRANTED:
        return consent
    if language and not consent.language:
        consent.language = language[:8]
    blocked = Suppression.objects.filter(channel=Channel.EMAIL, address=address).first()
    status: str = ConsentStatus.GRANTED
    note = ""
    if blocked is not None:
        if blocked.reason in LIFTABLE:
            blocked.delete()
        else:
            status, note = ConsentStatus.SUPPRESSED, "asked again; the address stays suppressed"
            if consent.status == ConsentStatus.SUPPRESSED:
                return consent
    return _change(
        consent=consent,
        status=status,
        source=source,
        text_shown=text_shown,
        ip_address=ip_address,
        user_agent=user_agent,
        note=note,
    )
