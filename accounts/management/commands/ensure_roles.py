"""``manage.py ensure_roles``: the role groups hold exactly ``accounts.roles.ROLE_PERMISSIONS``.

Run after ``migrate`` on every deploy (docker-compose's ``migrate`` service does): a release that
gives a role a new permission (staff and the B2B quotes, say) reaches an existing database only so.
Re-runnable; prints each role with its number of permissions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.roles import ensure_roles


class Command(BaseCommand):
    help = "Create or update the role groups (cashier, store manager, staff...) and their permissions."

    def handle(self, *args: Any, **options: Any) -> None:
        for role, group in sorted(ensure_roles().items()):
            self.stdout.write(f"{role}: {group.permissions.count()} permissions")
