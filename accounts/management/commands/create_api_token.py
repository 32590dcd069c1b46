"""``manage.py create_api_token <email>``: print the user's DRF token, creating it the first time.

The token goes in ``Authorization: Token <key>`` (REST API) or ``?token=<key>`` (websockets).
Only the key is printed, so scripts can capture it: ``TOKEN=$(./manage.py create_api_token a@b.c)``.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print the API token of the user with this e-mail address, creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The user's e-mail address (case does not matter).")

    def handle(self, *args, **options):
        email = options["email"].strip()
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user has the e-mail address {email!r}.")
        if not user.is_active:
            raise CommandError(f"The user {user.email} is inactive: activate the account first.")
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
