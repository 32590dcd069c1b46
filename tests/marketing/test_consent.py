"""Double opt-in, withdrawal, suppression and may_send, against the database."""

import re

import pytest
from django.core import mail, signing

from accounts.models import CustomerProfile
from marketing import services, tokens
from marketing.errors import AddressSuppressed, InvalidAddress, InvalidLink
from marketing.models import (
    AppendOnly,
    Channel,
    Consent,
    ConsentEvent,
    ConsentSource,
    ConsentStatus,
    Suppression,
    SuppressionReason,
)
from tests.accounts.portal_support import shopper

pytestmark = pytest.mark.django_db

TEXT = "I would like the newsletter. I can unsubscribe at any time."


def _link(message) -> str:
    return re.search(r"https?://\S+/newsletter/confirm/(\S+)/", message.body).group(1)


def _ask(django_capture_on_commit_callbacks, email="Guest@Example.com"):
    with django_capture_on_commit_callbacks(execute=True):
        return services.request_newsletter(
            email=email, text_shown=TEXT, ip_address="203.0.113.9", user_agent="Firefox", language="en"
        )


def test_newsletter_is_pending_until_the_link_is_followed(eager_celery, django_capture_on_commit_callbacks):
    consent = _ask(django_capture_on_commit_callbacks)

    assert (consent.address, consent.status) == ("guest@example.com", ConsentStatus.PENDING)
    assert services.may_send(person="guest@example.com") is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["guest@example.com"]
    assert mail.outbox[0].subject == "Confirm your subscription to our newsletter"
    token = _link(mail.outbox[0])

    confirmed = services.confirm(token=token, ip_address="203.0.113.10", user_agent="Firefox")

    assert confirmed.status == ConsentStatus.GRANTED
    assert services.may_send(person="GUEST@example.com") is True
    events = list(consent.events.values_list("status", "source", "text_shown", "ip_address", "user_agent"))
    assert events == [
        ("pending", "newsletter_form", TEXT, "203.0.113.9", "Firefox"),
        ("granted", "double_opt_in", TEXT, "203.0.113.10", "Firefox"),
    ]
    # a second click changes nothing
    services.confirm(token=token)
    assert consent.events.count() == 2


def test_an_expired_or_forged_confirmation_link_grants_nothing(
    eager_celery, django_capture_on_commit_callbacks, settings
):
    _ask(django_capture_on_commit_callbacks)
    token = _link(mail.outbox[0])

    settings.MARKETING_CONFIRM_MAX_AGE = -1  # every link has expired
    with pytest.raises(InvalidLink) as expired:
        services.confirm(token=token)
    assert expired.value.detail == {"token": ["expired"]}
    settings.MARKETING_CONFIRM_MAX_AGE = 3600
    with pytest.raises(InvalidLink):
        services.confirm(token=token[:-2] + "xx")
    unsubscribe_token = services.unsubscribe_token(channel="email", address="guest@example.com")
    with pytest.raises(InvalidLink):  # another purpose's token (salt) does not confirm
        services.confirm(token=unsubscribe_token)

    assert Consent.objects.get().status == ConsentStatus.PENDING
    assert services.may_send(person="guest@example.com") is False


def test_asking_again_when_granted_sends_nothing(eager_celery, django_capture_on_commit_callbacks):
    _ask(django_capture_on_commit_callbacks)
    services.confirm(token=_link(mail.outbox[0]))

    _ask(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    assert Consent.objects.get().status == ConsentStatus.GRANTED


def test_a_bad_address_is_refused_and_nothing_is_written():
    with pytest.raises(InvalidAddress):
        services.request_newsletter(email="not an address", text_shown=TEXT)
    assert not Consent.objects.exists()


def test_hard_bounce_suppresses_and_withdraws(eager_celery, django_capture_on_commit_callbacks):
    _ask(django_capture_on_commit_callbacks)
    services.confirm(token=_link(mail.outbox[0]))

    services.suppress(address="GUEST@example.com", reason=SuppressionReason.HARD_BOUNCE, detail="550 5.1.1")

    assert Suppression.objects.get().reason == "hard_bounce"
    consent = Consent.objects.get()
    assert consent.status == ConsentStatus.SUPPRESSED
    assert consent.events.last().source == ConsentSource.BOUNCE
    assert services.may_send(person="guest@example.com") is False
    # a new sign-up cannot undo a bounce
    with pytest.raises(AddressSuppressed):
        services.request_newsletter(email="guest@example.com", text_shown=TEXT)
    assert Consent.objects.get().status == ConsentStatus.SUPPRESSED
    # suppressing twice is harmless
    services.suppress(address="guest@example.com", reason=SuppressionReason.HARD_BOUNCE)
    assert Suppression.objects.count() == 1


def test_an_unsubscribed_address_may_opt_in_again_by_double_opt_in(
    eager_celery, django_capture_on_commit_callbacks
):
    services.suppress(address="guest@example.com", reason=SuppressionReason.UNSUBSCRIBED)
    _ask(django_capture_on_commit_callbacks)
    assert services.may_send(person="guest@example.com") is False

    services.confirm(token=_link(mail.outbox[0]))

    assert not Suppression.objects.exists()
    assert services.may_send(person="guest@example.com") is True


def test_withdraw_of_an_account_unticks_the_portal_box():
    user = shopper(email="ana@example.com")
    services.record_account_consent(
        user=user, granted=True, source=ConsentSource.PROFILE_FORM, text_shown="Send me news"
    )
    assert CustomerProfile.objects.get(user=user).marketing_opt_in is True
    assert services.may_send(person=user) is True

    services.withdraw(person=user)

    assert services.may_send(person=user) is False
    assert CustomerProfile.objects.get(user=user).marketing_opt_in is False
    assert list(Consent.objects.get().events.values_list("status", flat=True)) == ["granted", "withdrawn"]


def test_sms_consent_is_separate_from_email():
    user = shopper(email="ana@example.com")
    user.phone = "06 12 34 56 78"
    user.save()
    services.record_account_consent(user=user, granted=True, source=ConsentSource.TILL, text_shown="News")

    assert services.may_send(person=user, channel=Channel.EMAIL) is True
    assert services.may_send(person=user, channel=Channel.SMS) is False
    assert services.may_send(person="not a phone", channel=Channel.SMS) is False


def test_consent_events_are_append_only():
    user = shopper(email="ana@example.com")
    consent = services.record_account_consent(
        user=user, granted=True, source=ConsentSource.SIGNUP_FORM, text_shown="News"
    )
    event = consent.events.get()
    event.text_shown = "something else"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    assert ConsentEvent.objects.get().text_shown == "News"


def test_tokens_carry_channel_and_address_only_under_their_salt():
    token = tokens.make(salt=tokens.UNSUBSCRIBE_SALT, channel="email", address="a@example.com")
    assert tokens.read(salt=tokens.UNSUBSCRIBE_SALT, token=token, max_age=60) == ("email", "a@example.com")
    junk = signing.dumps(["x"], salt=tokens.UNSUBSCRIBE_SALT)
    with pytest.raises(InvalidLink):
        tokens.read(salt=tokens.UNSUBSCRIBE_SALT, token=junk, max_age=60)
