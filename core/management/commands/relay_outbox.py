"""``manage.py relay_outbox``: publish the outbox to Celery, in a loop (its own process) or once."""

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from core import outbox


class Command(BaseCommand):
    help = (
        "Publish due outbox messages to the Celery broker, retrying with backoff while it is down. "
        "Runs until SIGTERM/SIGINT (one process is enough; several share the rows with SKIP LOCKED); "
        "--once relays what is due and exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Relay what is due, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between passes (default 1).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            result = outbox.relay_all()
            self.stdout.write(f"published {len(result.published)}, postponed {len(result.failed)}")
            return
        self._stop = False

        def stop(signum: int, frame: FrameType | None) -> None:
            self._stop = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        interval = max(0.05, options["interval"])
        self.stdout.write(f"relay_outbox: relaying every {interval:g} s")
        while not self._stop:
            close_old_connections()
            try:
                result = outbox.relay_all()
            except Exception as exc:  # the database went away: keep the loop alive, try again
                self.stderr.write(f"relay_outbox: {type(exc).__name__}: {exc}")
            else:
                if result.published or result.failed:
                    self.stdout.write(
                        f"published {len(result.published)}, postponed {len(result.failed)}"
                        + (f" ({result.error})" if result.error else "")
                    )
            deadline = time.monotonic() + interval
            while not self._stop and time.monotonic() < deadline:
                time.sleep(min(0.1, interval))
