from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.sms import SmsMessage


class BaseSmsBackend:
    """Subclasses implement ``send_messages``: deliver every message or raise ``core.sms.SmsError``."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError
