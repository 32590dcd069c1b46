"""Text messages, sent through a backend the way Django sends e-mail.

``send_sms(to, body)`` hands one message to the backend named by the ``SMS_BACKEND`` setting:

- ``core.sms.backends.console.SmsBackend`` (the default): prints the message, for development;
- ``core.sms.backends.locmem.SmsBackend``: keeps messages in ``core.sms.outbox``, for tests;
- ``core.sms.backends.http.SmsBackend``: Twilio's Messages API over HTTPS (production; settings
  ``SMS_TWILIO_*``).

Numbers are normalised to E.164 (``+33612345678``) before they reach a backend; a national French
number (``06 12 34 56 78``) gets ``SMS_DEFAULT_COUNTRY_CODE``. A number that cannot be a phone number
raises ``InvalidPhoneNumber``; a backend that cannot deliver raises ``SmsError`` (callers retry); a
provider that refuses the message itself (a number it cannot reach, wrong credentials) raises
``SmsRejected``, which a retry would not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

from core.errors import ValidationFailed

if TYPE_CHECKING:
    from core.sms.backends.base import BaseSmsBackend

# Filled by the locmem backend (tests); like django.core.mail.outbox.
outbox: list[SmsMessage] = []

MAX_BODY_LENGTH = 480  # three concatenated SMS segments; longer bodies are refused, not cut


class SmsError(Exception):
    """The backend could not hand the message over (network, provider down). Retryable."""


class SmsRejected(Exception):
    """The provider refused the message (HTTP 4xx): a retry would be refused too. Carries the
    provider's error code and words."""

    def __init__(self, message: str, *, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class InvalidPhoneNumber(ValidationFailed):
    code = "invalid_phone_number"
    default_message = "This is not a phone number that can receive text messages."


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


def normalize_phone(raw: str) -> str:
    """``06 12 34 56 78`` -> ``+33612345678``; ``0039 333 1234567`` -> ``+393331234567``."""
    digits = re.sub(r"[\s.\-()/]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif re.fullmatch(r"0\d{9}", digits):
        digits = f"+{getattr(settings, 'SMS_DEFAULT_COUNTRY_CODE', '33')}{digits[1:]}"
    if not re.fullmatch(r"\+[1-9]\d{7,14}", digits):
        raise InvalidPhoneNumber(detail={"phone": raw})
    return digits


def get_backend(backend: str | None = None, **kwargs: Any) -> BaseSmsBackend:
    """An instance of the backend class at dotted path ``backend`` (default: settings.SMS_BACKEND)."""
    path = backend or str(getattr(settings, "SMS_BACKEND", "core.sms.backends.console.SmsBackend"))
    backend_class: type[BaseSmsBackend] = import_string(path)
    return backend_class(**kwargs)


def send_sms(to: str, body: str, *, backend: BaseSmsBackend | None = None) -> SmsMessage:
    """Send one text message; returns what was sent (normalised number, body)."""
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("A text message needs a body.", detail={"field": "body"})
    if len(body) > MAX_BODY_LENGTH:
        raise ValidationFailed(
            f"A text message is at most {MAX_BODY_LENGTH} characters.", detail={"length": len(body)}
        )
    message = SmsMessage(to=normalize_phone(to), body=body)
    (backend or get_backend()).send_messages([message])
    return message
