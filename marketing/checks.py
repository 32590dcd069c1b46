"""System checks: production refuses to start with a development e-mail or SMS backend."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

DEV_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
DEV_SMS_BACKENDS = {
    "core.sms.backends.console.SmsBackend",
    "core.sms.backends.locmem.SmsBackend",
}


@register()
def delivery_backends(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """With ``DJANGO_ENV=production`` e-mail and text messages must reach people: a console,
    in-memory, file or dummy backend would swallow order, invoice and marketing messages."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors = []
    if settings.EMAIL_BACKEND in DEV_EMAIL_BACKENDS:
        errors.append(
            Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND} in production.",
                hint="Set EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.com:587).",
                id="marketing.E001",
            )
        )
    sms_backend = str(getattr(settings, "SMS_BACKEND", ""))
    if sms_backend in DEV_SMS_BACKENDS:
        errors.append(
            Error(
                f"SMS_BACKEND is {sms_backend} in production.",
                hint="Set SMS_BACKEND to a provider's backend.",
                id="marketing.E002",
            )
        )
    return errors
