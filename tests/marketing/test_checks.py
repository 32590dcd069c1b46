"""Production refuses to start with a development e-mail or SMS backend (system check)."""

from django.core.checks import run_checks

from marketing.checks import delivery_backends
from tests.config.test_settings import _manage


def test_development_backends_are_errors_in_production_only(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SMS_BACKEND = "core.sms.backends.console.SmsBackend"

    settings.PRODUCTION = False
    assert delivery_backends() == []

    settings.PRODUCTION = True
    assert [error.id for error in delivery_backends()] == ["marketing.E001", "marketing.E002"]
    assert {"marketing.E001", "marketing.E002"} <= {error.id for error in run_checks()}

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.SMS_BACKEND = "core.sms.backends.http.SmsBackend"
    settings.SMS_TWILIO_ACCOUNT_SID, settings.SMS_TWILIO_AUTH_TOKEN = "AC123", "token"
    settings.SMS_TWILIO_FROM = "+33700000001"
    assert delivery_backends() == []


def test_production_accepts_anymail_and_twilio_and_names_what_is_missing(settings):
    settings.PRODUCTION = True
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "token"}
    settings.SMS_BACKEND = "core.sms.backends.http.SmsBackend"
    settings.SMS_TWILIO_ACCOUNT_SID, settings.SMS_TWILIO_AUTH_TOKEN = "AC123", ""
    settings.SMS_TWILIO_FROM = "+33700000001"

    found = {error.id: error.msg for error in delivery_backends()}
    assert set(found) == {"marketing.E003", "marketing.W001"}
    assert "SMS_TWILIO_AUTH_TOKEN" in found["marketing.E003"]

    settings.SMS_TWILIO_AUTH_TOKEN = "token"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "token", "WEBHOOK_SECRET": "user:pass"}
    assert delivery_backends() == []

    settings.EMAIL_BACKEND = "anymail.backends.console.EmailBackend"
    assert [error.id for error in delivery_backends()] == ["marketing.E001"]


def test_manage_check_fails_in_production_with_the_console_backends():
    result = _manage(
        "check",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="k" * 20 + "-a-long-random-production-secret-with-entropy-9f8e7d6c",
        DJANGO_ALLOWED_HOSTS="shop.example.com",
        EMAIL_URL="consolemail://",
        SMS_BACKEND="core.sms.backends.console.SmsBackend",
    )

    assert result.returncode != 0
    assert "marketing.E001" in result.stderr
    assert "marketing.E002" in result.stderr
