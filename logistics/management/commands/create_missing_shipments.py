"""manage.py create_missing_shipments: shipments for paid home-delivery orders that have none."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from logistics.services_fulfilment import create_missing_shipments


class Command(BaseCommand):
    help = "Create the shipments of paid home-delivery orders that have none (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        created = create_missing_shipments(limit=options["limit"])
        self.stdout.write(f"{len(created)} shipment(s) created.")
