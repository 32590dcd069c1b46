"""E-mail through a provider (django-anymail): EMAIL_URL, the real Postmark backend against a local
fake of its API, and the tracking webhook whose hard bounces and complaints suppress the address."""

from __future__ import annotations

import base64
import json

import pytest

from config.email import EmailUrlError, email_settings
from marketing import messages, services
from marketing.models import ConsentEvent, ConsentSource, ConsentStatus, Suppression, SuppressionReason
from tests.accounts.portal_support import shopper
from tests.delivery_fakes import POSTMARK_TOKEN, fake_providers

pytestmark = pytest.mark.django_db

SECRET = "postmark:hook-secret-123"
WEBHOOK = "/anymail/postmark/tracking/"


def _granted(email: str):
    user = shopper(email=email)
    services.record_account_consent(
        user=user, granted=True, source=ConsentSource.SIGNUP_FORM, text_shown="Send me offers."
    )
    assert services.may_send(person=email) is True
    return user


def _auth(secret: str = SECRET) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def _bounce(email: str, kind: str = "HardBounce") -> str:
    """Postmark's bounce webhook body (https://postmarkapp.com/developer/webhooks/bounce-webhook)."""
    return json.dumps(
        {
            "RecordType": "Bounce",
            "MessageStream": "broadcast",
            "ID": 4323372036854775807,
            "Type": kind,
            "TypeCode": 1 if kind == "HardBounce" else 4096,
            "Name": "Hard bounce",
            "Tag": "newsletter",
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "ServerID": 23,
            "Description": "The server was unable to deliver your message (ex: unknown user, mailbox ...).",
            "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
            "Email": email,
            "From": "boutique@example.com",
            "BouncedAt": "2026-06-01T16:33:54.9070259Z",
            "DumpAvailable": True,
            "Inactive": True,
            "CanActivate": True,
            "Subject": "Summer sale",
            "Metadata": {},
        }
    )


# --- EMAIL_URL ----------------------------------------------------------------------------------


def test_email_url_chooses_a_provider_or_django_backends():
    assert email_settings("anymail+postmark://tok%40en@", webhook_secret="u:p") == {
        "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
        "ANYMAIL": {"WEBHOOK_SECRET": "u:p", "POSTMARK_SERVER_TOKEN": "tok@en"},
    }
    assert email_settings(
        "anymail+mailgun://key-1@mg.example.com?api_url=https://api.eu.mailgun.net/v3&webhook_signing_key=sk"
    ) == {
        "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
        "ANYMAIL": {
            "MAILGUN_API_KEY": "key-1",
            "MAILGUN_SENDER_DOMAIN": "mg.example.com",
            "MAILGUN_API_URL": "https://api.eu.mailgun.net/v3",
            "MAILGUN_WEBHOOK_SIGNING_KEY": "sk",
        },
    }
    smtp = email_settings("smtp+tls://user:pass@smtp.example.com:587")
    assert (smtp["EMAIL_BACKEND"], smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["ANYMAIL"]) == (
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        587,
        {},
    )
    assert (
        email_settings("consolemail://")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    )
    with pytest.raises(EmailUrlError, match="unknown e-mail provider 'pigeon'"):
        email_settings("anymail+pigeon://key@")
    with pytest.raises(EmailUrlError, match="needs its API key"):
        email_settings("anymail+postmark://")
    with pytest.raises(EmailUrlError, match="needs the sending domain"):
        email_settings("anymail+mailgun://key@")


# --- sending through the provider's API -----------------------------------------------------------


def test_a_marketing_email_goes_through_postmarks_api_with_its_unsubscribe_headers(settings):
    _granted("ana@example.com")
    with fake_providers() as postmark:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": POSTMARK_TOKEN, "POSTMARK_API_URL": postmark.url + "/"}
        message = messages.marketing_email(
            to="ana@example.com", subject="Summer sale", text="Up to -30%.", html="<p>Up to -30%.</p>"
        )
        assert message is not None
        assert message.send() == 1

    [request] = postmark.requests
    assert request.path == "/email"
    assert request.headers["x-postmark-server-token"] == POSTMARK_TOKEN
    body = request.json()
    headers = {h["Name"]: h["Value"] for h in body["Headers"]}
    expected = message.extra_headers  # what marketing_email built: the signed link and the mailto
    assert (body["To"], body["Subject"], body["From"]) == (
        "ana@example.com",
        "Summer sale",
        "boutique@example.com",
    )
    assert (body["TextBody"], body["HtmlBody"]) == ("Up to -30%.", "<p>Up to -30%.</p>")
    assert headers["List-Unsubscribe"] == expected["List-Unsubscribe"]
    assert headers["List-Unsubscribe"].startswith("<http://localhost:8000/u/")
    assert (
        "<mailto:unsubscribe@example.com?subject=unsubscribe%20ana%40example.com>"
        in headers["List-Unsubscribe"]
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.anymail_status.status == {"sent"}


def test_a_provider_refusing_the_token_is_an_error_not_a_silent_loss(settings):
    from anymail.exceptions import AnymailAPIError

    _granted("ana@example.com")
    with fake_providers() as postmark:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "wrong", "POSTMARK_API_URL": postmark.url + "/"}
        message = messages.marketing_email(to="ana@example.com", subject="Sale", text="-30%")
        with pytest.raises(AnymailAPIError, match="Bad or missing Server API token"):
            message.send()


# --- the tracking webhook ---------------------------------------------------------------------------


def test_a_hard_bounce_posted_by_postmark_suppresses_the_address(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    user = _granted("ana@example.com")

    response = client.post(WEBHOOK, _bounce("Ana@Example.com"), content_type="application/json", **_auth())

    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.address, suppression.reason) == ("ana@example.com", SuppressionReason.HARD_BOUNCE)
    assert suppression.detail == "Postmark bounced HardBounce"
    assert services.may_send(person="ana@example.com") is False
    assert services.may_send(person=user) is False
    event = ConsentEvent.objects.order_by("pk").last()
    assert (event.status, event.source, event.note) == (
        ConsentStatus.SUPPRESSED,
        ConsentSource.BOUNCE,
        "Postmark bounced HardBounce",
    )
    # the provider retries a delivered webhook: nothing more is written
    client.post(WEBHOOK, _bounce("ana@example.com"), content_type="application/json", **_auth())
    assert Suppression.objects.count() == 1
    assert ConsentEvent.objects.filter(status=ConsentStatus.SUPPRESSED).count() == 1


def test_a_spam_complaint_suppresses_and_a_soft_bounce_does_not(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    _granted("ana@example.com")
    _granted("bob@example.com")

    soft = client.post(
        WEBHOOK, _bounce("bob@example.com", "SoftBounce"), content_type="application/json", **_auth()
    )
    complaint = {
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Email": "ana@example.com",
        "MessageID": "00000000-0000-0000-0000-000000000001",
        "BouncedAt": "2026-06-01T16:33:54Z",
        "Description": "The subscriber explicitly marked this message as spam.",
        "Metadata": {},
    }
    spam = client.post(WEBHOOK, json.dumps(complaint), content_type="application/json", **_auth())

    assert (soft.status_code, spam.status_code) == (200, 200)
    assert list(Suppression.objects.values_list("address", "reason")) == [
        ("ana@example.com", SuppressionReason.COMPLAINT)
    ]
    assert services.may_send(person="bob@example.com") is True


@pytest.mark.parametrize("credentials", [None, "postmark:wrong", "intruder:hook-secret-123"])
def test_a_post_without_the_right_basic_auth_is_refused_and_writes_nothing(client, settings, credentials):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    _granted("ana@example.com")
    events_before = ConsentEvent.objects.count()

    auth = _auth(credentials) if credentials else {}
    response = client.post(WEBHOOK, _bounce("ana@example.com"), content_type="application/json", **auth)

    assert response.status_code == 400
    assert Suppression.objects.count() == 0
    assert ConsentEvent.objects.count() == events_before
    assert services.may_send(person="ana@example.com") is True


def test_the_webhook_is_closed_without_a_secret_and_for_unknown_providers(client, settings):
    settings.ANYMAIL = {}
    _granted("ana@example.com")
    assert (
        client.post(WEBHOOK, _bounce("ana@example.com"), content_type="application/json").status_code == 404
    )
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    response = client.post("/anymail/pigeon/tracking/", "{}", content_type="application/json", **_auth())
    assert response.status_code == 404
    assert Suppression.objects.count() == 0


def test_a_malformed_event_is_a_4xx_and_writes_nothing(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    response = client.post(WEBHOOK, "{not json", content_type="application/json", **_auth())
    assert 400 <= response.status_code < 500
    assert Suppression.objects.count() == 0
