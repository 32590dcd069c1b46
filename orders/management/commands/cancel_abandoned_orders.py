"""``manage.py cancel_abandoned_orders``: what the beat task does, by hand (after an outage, say)."""

from typing import Any

from django.core.management.base import BaseCommand

from orders.services.abandoned import cancel_abandoned_orders


class Command(BaseCommand):
    help = (
        "Cancel the web orders still awaiting payment whose stock hold ran out and that have no payment "
        "in progress (releasing their stock). Prints how many were cancelled."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=500, help="At most this many orders per run.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = cancel_abandoned_orders(limit=options["limit"])
        self.stdout.write(f"{count} abandoned order(s) cancelled.")
