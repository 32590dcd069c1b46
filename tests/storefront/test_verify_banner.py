"""The portal's "confirm your e-mail address" banner and its "Send the link again" button, and the
expired/invalid link page offering the same (issue 16)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESEND = "/en/account/verify/resend/"
BANNER = "Please confirm your e-mail address."


@pytest.fixture
def lea(settings):
    settings.EMAIL_VERIFICATION_RESEND_MINUTES = 5
    return UserFactory(email="lea@example.com", preferred_language="en")


@pytest.fixture
def signed_in(client, lea):
    client.force_login(lea)
    return client


def test_an_unverified_shopper_sees_the_banner_with_the_button(signed_in):
    html = signed_in.get("/en/account/").content.decode()

    assert BANNER in html
    assert f'action="{RESEND}"' in html and "Send the link again" in html


def test_a_verified_shopper_sees_no_banner(signed_in, lea):
    User.objects.filter(pk=lea.pk).update(email_verified_at=timezone.now())

    assert BANNER not in signed_in.get("/en/account/orders/").content.decode()


def test_the_button_sends_a_working_link_and_says_so(signed_in, lea, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(RESEND, {"next": "/en/account/orders/"}, follow=True)

    assert response.redirect_chain == [("/en/account/orders/", 302)]
    assert "We sent a new link to lea@example.com." in response.content.decode()
    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/account/verify/" in word)
    assert link.startswith("http://testserver/en/account/verify/")
    signed_in.get(link.removeprefix("http://testserver"))
    assert User.objects.get(pk=lea.pk).email_verified_at is not None


def test_a_second_click_is_refused_with_a_429_and_a_clear_message(
    signed_in, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(RESEND)
        response = signed_in.post(RESEND)

    assert response.status_code == 429 and 240 < int(response["Retry-After"]) <= 300
    assert "You can ask for a new one in 5 minutes." in response.content.decode()
    assert len(mail.outbox) == 1


def test_a_foreign_next_goes_to_the_dashboard(signed_in, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(RESEND, {"next": "https://evil.example/"})

    assert response.status_code == 302 and response["Location"] == "/en/account/"


def test_resending_needs_a_signed_in_shopper_and_a_post(client, signed_in):
    assert signed_in.get(RESEND).status_code == 405
    client.logout()
    response = client.post(RESEND)
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert mail.outbox == []


def test_an_expired_link_offers_to_send_a_new_one(signed_in, lea):
    token = services.email_verification_token(user=lea)
    later = timezone.now() + dt.timedelta(days=8)  # the link is opened 8 days after it was made
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.time", lambda: later.timestamp())
        response = signed_in.get(f"/en/account/verify/{token}/")

    html = response.content.decode()
    assert response.status_code == 400 and "This verification link has expired." in html
    assert f'action="{RESEND}"' in html and "Send the link again" in html
    assert BANNER not in html  # the page says it once


def test_an_invalid_link_signed_out_offers_to_sign_in_for_a_new_one(client):
    response = client.get("/en/account/verify/not-a-token/")

    html = response.content.decode()
    assert response.status_code == 400 and "This verification link is not valid." in html
    assert "Sign in to receive a new link." in html and 'href="/en/account/login/?next=/en/account/"' in html
