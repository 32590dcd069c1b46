"""Keeps text messages in ``core.sms.outbox`` (tests). ``fail_next`` fakes a provider outage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import BaseSmsBackend

if TYPE_CHECKING:
    from core.sms import SmsMessage


class SmsBackend(BaseSmsBackend):
    # How many of the next sends fail with SmsError, for retry tests. Class-level like the outbox.
    fail_next = 0

    def send_messages(self, messages: list[SmsMessage]) -> int:
        from core import sms

        if SmsBackend.fail_next > 0:
            SmsBackend.fail_next -= 1
            raise sms.SmsError("The (fake) SMS provider is unreachable.")
        sms.outbox.extend(messages)
        return len(messages)
