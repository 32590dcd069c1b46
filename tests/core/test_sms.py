"""core.sms: a backend interface like Django's mail backends."""

import io

import pytest

from core import sms
from core.errors import ValidationFailed
from core.sms.backends.console import SmsBackend as ConsoleSms
from core.sms.backends.locmem import SmsBackend as LocmemSms


def test_the_console_backend_is_the_default_and_prints_the_message(settings):
    from django.conf import settings as live

    assert live.SMS_BACKEND == "core.sms.backends.console.SmsBackend"
    stream = io.StringIO()
    sent = sms.send_sms("06 12 34 56 78", "  Your order is ready.  ", backend=ConsoleSms(stream=stream))
    assert sent == sms.SmsMessage(to="+33612345678", body="Your order is ready.")
    assert stream.getvalue() == "SMS to +33612345678\nYour order is ready.\n" + "-" * 40 + "\n"
    assert isinstance(sms.get_backend(), ConsoleSms)


def test_the_locmem_backend_keeps_messages_in_the_outbox(sms_outbox):
    sms.send_sms("+39 333 123 4567", "Pronto!")
    sms.send_sms("0033 6 12 34 56 78", "Prête !")
    assert sms_outbox == [
        sms.SmsMessage(to="+393331234567", body="Pronto!"),
        sms.SmsMessage(to="+33612345678", body="Prête !"),
    ]


def test_a_provider_outage_raises_sms_error_and_sends_nothing(sms_outbox):
    LocmemSms.fail_next = 1
    with pytest.raises(sms.SmsError):
        sms.send_sms("0612345678", "Ready")
    assert sms_outbox == []
    sms.send_sms("0612345678", "Ready")
    assert len(sms_outbox) == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 (0)6", None),
        ("+33612345678", "+33612345678"),
        ("0044 20 7946 0958", "+442079460958"),
        ("", None),
        ("hello", None),
        ("12345", None),
        ("+0612345678", None),
        ("+1234567890123456", None),
    ],
)
def test_numbers_are_normalised_to_e164_or_refused(raw, expected):
    if expected is None:
        with pytest.raises(sms.InvalidPhoneNumber) as caught:
            sms.normalize_phone(raw)
        assert caught.value.code == "invalid_phone_number" and caught.value.detail == {"phone": raw}
    else:
        assert sms.normalize_phone(raw) == expected


def test_the_country_code_for_national_numbers_is_a_setting(settings):
    settings.SMS_DEFAULT_COUNTRY_CODE = "39"
    assert sms.normalize_phone("0312345678") == "+39312345678"


@pytest.mark.parametrize("body", ["", "   ", "x" * 481])
def test_an_empty_or_too_long_body_is_refused_and_nothing_is_sent(sms_outbox, body):
    with pytest.raises(ValidationFailed):
        sms.send_sms("0612345678", body)
    assert sms_outbox == []


def test_a_wrong_backend_path_fails_loudly(settings):
    settings.SMS_BACKEND = "core.sms.backends.nope.SmsBackend"
    with pytest.raises(ImportError):
        sms.send_sms("0612345678", "Ready")
