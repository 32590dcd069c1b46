"""core.sms.backends.http: Twilio's Messages API, against a local fake of it (tests/delivery_fakes.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import sms
from core.sms.backends.http import SmsBackend
from tests.delivery_fakes import TWILIO_SID, TWILIO_TOKEN, fake_providers


@pytest.fixture
def twilio(settings):
    with fake_providers() as fake:
        settings.SMS_BACKEND = "core.sms.backends.http.SmsBackend"
        settings.SMS_TWILIO_ACCOUNT_SID = TWILIO_SID
        settings.SMS_TWILIO_AUTH_TOKEN = TWILIO_TOKEN
        settings.SMS_TWILIO_FROM = "+33700000001"
        settings.SMS_TWILIO_API_URL = fake.url + "/"
        settings.SMS_HTTP_TIMEOUT = 5
        yield fake


def test_send_sms_posts_the_message_to_twilio_with_basic_auth(twilio):
    sent = sms.send_sms("06 12 34 56 78", "Votre commande W00042 est prête.")

    assert sent == sms.SmsMessage(to="+33612345678", body="Votre commande W00042 est prête.")
    [request] = twilio.requests
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["authorization"].startswith("Basic ")
    assert request.form() == {
        "To": ["+33612345678"],
        "From": ["+33700000001"],
        "Body": ["Votre commande W00042 est prête."],
    }


def test_a_messaging_service_sid_is_sent_as_such(twilio, settings):
    settings.SMS_TWILIO_FROM = "MG0123456789abcdef0123456789abcdef"
    sms.send_sms("+33612345678", "Bonjour")
    assert twilio.requests[0].form()["MessagingServiceSid"] == ["MG0123456789abcdef0123456789abcdef"]
    assert "From" not in twilio.requests[0].form()


def test_a_number_twilio_refuses_is_a_clear_non_retryable_error(twilio):
    with pytest.raises(sms.SmsRejected) as refused:
        sms.send_sms("+393331234567", "Ciao")  # the fake refuses non-French numbers, as Twilio does 21211
    assert refused.value.status == 400
    assert refused.value.code == "21211"
    assert "+393331234567" in str(refused.value) and "not a valid phone number" in str(refused.value)
    assert not isinstance(refused.value, sms.SmsError)  # the order tasks do not retry it


def test_wrong_credentials_are_refused_not_retried(twilio, settings):
    settings.SMS_TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(sms.SmsRejected) as refused:
        sms.send_sms("+33612345678", "Bonjour")
    assert (refused.value.status, refused.value.code) == (401, "20003")


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_outage_or_rate_limit_is_retryable(twilio, status):
    twilio.status = status
    with pytest.raises(sms.SmsError, match=f"HTTP {status}"):
        sms.send_sms("+33612345678", "Bonjour")


def test_an_unreachable_provider_is_retryable(settings):
    with fake_providers() as fake:
        url = fake.url  # the server is gone once the block ends
    backend = SmsBackend(account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, sender="+33700000001", api_url=url)
    with pytest.raises(sms.SmsError, match="unreachable"):
        backend.send_messages([sms.SmsMessage(to="+33612345678", body="Bonjour")])


def test_missing_settings_are_named(settings):
    settings.SMS_TWILIO_ACCOUNT_SID = ""
    settings.SMS_TWILIO_AUTH_TOKEN = ""
    settings.SMS_TWILIO_FROM = "+33700000001"
    with pytest.raises(ImproperlyConfigured, match="SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN"):
        SmsBackend()
