"""System checks: production refuses to start with a development e-mail or SMS backend.

Accepted in production: SMTP (``EMAIL_URL=smtp+tls://...``) or a provider's API through
django-anymail (``EMAIL_URL=anymail+postmark://...``, ``config/email.py``), and a provider's SMS
backend (``core.sms.backends.http.SmsBackend``: Twilio, whose settings must then be complete).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

DEV_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "anymail.backends.console.EmailBackend",
    "anymail.backends.test.EmailBackend",
}
DEV_SMS_BACKENDS = {
    "core.sms.backends.console.SmsBackend",
    "core.sms.backends.locmem.SmsBackend",
}
HTTP_SMS_BACKEND = "core.sms.backends.http.SmsBackend"
TWILIO_SETTINGS = ("SMS_TWILIO_ACCOUNT_SID", "SMS_TWILIO_AUTH_TOKEN", "SMS_TWILIO_FROM")


@register()
def delivery_backends(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With ``DJANGO_ENV=production`` e-mail and text messages must reach people: a console,
    in-memory, file or dummy backend would swallow order, invoice and marketing messages."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[CheckMessage] = []
    if settings.EMAIL_BACKEND in DEV_EMAIL_BACKENDS:
        errors.append(
            Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND} in production.",
                hint="Set EMAIL_URL (e.g. anymail+postmark://TOKEN@ or smtp+tls://user:password@smtp.example.com:587).",
                id="marketing.E001",
            )
        )
    sms_backend = str(getattr(settings, "SMS_BACKEND", ""))
    if sms_backend in DEV_SMS_BACKENDS:
        errors.append(
            Error(
                f"SMS_BACKEND is {sms_backend} in production.",
                hint="Set SMS_BACKEND=core.sms.backends.http.SmsBackend and SMS_TWILIO_* (README).",
                id="marketing.E002",
            )
        )
    if sms_backend == HTTP_SMS_BACKEND:
        missing = [name for name in TWILIO_SETTINGS if not getattr(settings, name, "")]
        if missing:
            errors.append(
                Error(
                    f"The Twilio SMS backend is chosen but {', '.join(missing)} is not set.",
                    hint="Set them from the Twilio console (account SID, auth token, sender number).",
                    id="marketing.E003",
                )
            )
    if str(settings.EMAIL_BACKEND).startswith("anymail.") and not (
        getattr(settings, "ANYMAIL", None) or {}
    ).get("WEBHOOK_SECRET"):
        errors.append(
            Warning(
                "E-mail goes through a provider but ANYMAIL_WEBHOOK_SECRET is not set: its bounces and "
                "complaints cannot reach /anymail/<provider>/tracking/, nothing gets suppressed.",
                hint="Set ANYMAIL_WEBHOOK_SECRET=user:password and give the provider that URL with it.",
                id="marketing.W001",
            )
        )
    return errors
