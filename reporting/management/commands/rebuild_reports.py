"""``manage.py rebuild_reports``: every order's facts and every day's roll-up, from the orders.

Idempotent (run it twice: the same tables). Run it after restoring a backup, after changing how a
figure is defined, or to give history its facts; the order events keep them current afterwards.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rebuild the reporting facts and daily roll-ups from the orders (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        from reporting import facts

        started = time.monotonic()
        count = facts.rebuild()
        self.stdout.write(f"facts={count} seconds={time.monotonic() - started:.1f}")
