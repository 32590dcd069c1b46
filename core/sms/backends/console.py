"""Prints text messages instead of sending them (development, the demo)."""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any, TextIO

from .base import BaseSmsBackend

if TYPE_CHECKING:
    from core.sms import SmsMessage


class SmsBackend(BaseSmsBackend):
    _lock = threading.Lock()

    def __init__(self, *, stream: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout

    def send_messages(self, messages: list[SmsMessage]) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"SMS to {message.to}\n{message.body}\n{'-' * 40}\n")
            self.stream.flush()
        return len(messages)
