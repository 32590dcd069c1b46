"""Text messages through Twilio's Programmable Messaging REST API (the production backend).

One ``POST {SMS_TWILIO_API_URL}/2010-04-01/Accounts/{SMS_TWILIO_ACCOUNT_SID}/Messages.json`` per
message, form-encoded ``To`` (E.164), ``Body`` and either ``From`` (a Twilio number) or
``MessagingServiceSid`` (when ``SMS_TWILIO_FROM`` starts with ``MG``), with HTTP basic auth
(account SID, auth token). Twilio answers ``201`` with the message resource (its ``sid``).

Errors:

- no answer, a timeout (``SMS_HTTP_TIMEOUT``), HTTP 5xx or 429 (rate limited): ``SmsError``, the
  caller's task retries with backoff;
- any other 4xx (a number Twilio cannot text, a recipient who replied STOP, wrong credentials):
  ``SmsRejected`` with Twilio's error code and message; retrying would not help.

The base URL is a setting so tests talk to a local fake of the API (tests/delivery_fakes.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import BaseSmsBackend

if TYPE_CHECKING:
    from core.sms import SmsMessage

MESSAGES_PATH = "/2010-04-01/Accounts/{sid}/Messages.json"


class SmsBackend(BaseSmsBackend):
    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        sender: str | None = None,
        api_url: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.account_sid = account_sid or str(getattr(settings, "SMS_TWILIO_ACCOUNT_SID", ""))
        self.auth_token = auth_token or str(getattr(settings, "SMS_TWILIO_AUTH_TOKEN", ""))
        self.sender = sender or str(getattr(settings, "SMS_TWILIO_FROM", ""))
        self.api_url = (
            api_url or str(getattr(settings, "SMS_TWILIO_API_URL", "https://api.twilio.com"))
        ).rstrip("/")
        self.timeout = float(timeout if timeout is not None else getattr(settings, "SMS_HTTP_TIMEOUT", 10.0))
        missing = [
            name
            for name, value in (
                ("SMS_TWILIO_ACCOUNT_SID", self.account_sid),
                ("SMS_TWILIO_AUTH_TOKEN", self.auth_token),
                ("SMS_TWILIO_FROM", self.sender),
            )
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(f"The Twilio SMS backend needs {', '.join(missing)}.")

    @property
    def messages_url(self) -> str:
        return self.api_url + MESSAGES_PATH.format(sid=self.account_sid)

    def form(self, message: SmsMessage) -> dict[str, str]:
        sender_field = "MessagingServiceSid" if self.sender.startswith("MG") else "From"
        return {"To": message.to, sender_field: self.sender, "Body": message.body}

    def send_messages(self, messages: list[SmsMessage]) -> int:
        with requests.Session() as session:
            session.auth = (self.account_sid, self.auth_token)
            for message in messages:
                self._send(session, message)
        return len(messages)

    def _send(self, session: requests.Session, message: SmsMessage) -> str:
        from core.sms import SmsError, SmsRejected

        try:
            response = session.post(self.messages_url, data=self.form(message), timeout=self.timeout)
        except requests.RequestException as exc:
            raise SmsError(f"Twilio is unreachable: {exc.__class__.__name__}.") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise SmsError(f"Twilio answered HTTP {response.status_code}; try again later.")
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        if response.status_code >= 400:
            code = str(payload.get("code") or "")
            words = str(payload.get("message") or response.reason or "refused")
            raise SmsRejected(
                f"Twilio refused the text message to {message.to} (HTTP {response.status_code}, "
                f"error {code or '?'}): {words}",
                status=response.status_code,
                code=code,
            )
        sid = str(payload.get("sid") or "")
        if not sid:
            raise SmsError(f"Twilio answered HTTP {response.status_code} without a message sid.")
        return sid
