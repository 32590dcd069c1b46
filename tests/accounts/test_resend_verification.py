"""Sending the verification link again (issue 16): at most one per EMAIL_VERIFICATION_RESEND_MINUTES,
refused with a clear message (and nothing sent) inside the window or once the address is confirmed."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts import services
from accounts.errors import EmailAlreadyVerified, VerificationEmailTooSoon
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "https://shop.example/en/account/verify/TOKEN/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.EMAIL_VERIFICATION_RESEND_MINUTES = 5
    with translation.override("en"):
        yield


def sent_at(user):
    return User.objects.values_list("email_verification_sent_at", flat=True).get(pk=user.pk)


def test_a_first_resend_sends_the_link_after_commit_and_records_when(django_capture_on_commit_callbacks):
    user = UserFactory(email="lea@example.com", preferred_language="en")

    with django_capture_on_commit_callbacks(execute=True):
        services.resend_email_verification(user=user, verify_url=URL)

    [message] = mail.outbox
    assert message.to == ["lea@example.com"] and URL in message.body
    assert sent_at(user) is not None


def test_a_second_resend_inside_the_window_is_refused_and_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory(email="lea@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_email_verification(user=user, verify_url=URL)
    first = sent_at(user)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(VerificationEmailTooSoon) as refused:
        services.resend_email_verification(user=user, verify_url=URL)

    assert refused.value.http_status == 429
    assert refused.value.message == (
        "We sent you a link less than 5 minutes ago. You can ask for a new one in 5 minutes."
    )
    assert 240 < refused.value.wait <= 300
    assert len(mail.outbox) == 1 and sent_at(user) == first


def test_the_signup_link_counts_too(django_capture_on_commit_callbacks):
    user = UserFactory(email="lea@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_email_verification(user=user, verify_url=URL)

    with pytest.raises(VerificationEmailTooSoon):
        services.resend_email_verification(user=user, verify_url=URL)
    assert len(mail.outbox) == 1


def test_once_the_window_has_passed_a_new_link_goes_out(django_capture_on_commit_callbacks):
    user = UserFactory(email="lea@example.com")
    User.objects.filter(pk=user.pk).update(
        email_verification_sent_at=timezone.now() - dt.timedelta(minutes=5, seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.resend_email_verification(user=user, verify_url=URL)

    assert len(mail.outbox) == 1
    assert timezone.now() - sent_at(user) < dt.timedelta(seconds=5)


def test_an_already_confirmed_address_is_refused(django_capture_on_commit_callbacks):
    user = UserFactory(email="lea@example.com", email_verified_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EmailAlreadyVerified) as refused:
        services.resend_email_verification(user=user, verify_url=URL)

    assert refused.value.http_status == 409 and mail.outbox == [] and sent_at(user) is None
