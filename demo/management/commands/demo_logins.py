"""``manage.py demo_logins``: the demo logins table (``make demo`` prints it last, once serving starts)."""

from django.core.management.base import BaseCommand, OutputWrapper
from django.core.management.color import Style

from demo.seed.accounts import DemoLogin, current_logins


def write_logins(stdout: OutputWrapper, style: Style, logins: list[DemoLogin]) -> None:
    stdout.write(style.SUCCESS("Logins (password demo1234):"))
    stdout.write(f"  {'e-mail':<28} {'password':<10} {'role':<14} {'store':<6} API token")
    for login in logins:
        stdout.write(
            f"  {login.email:<28} {login.password:<10} {login.role:<14} {login.store or '-':<6} {login.token}"
        )


class Command(BaseCommand):
    help = "Print the demo logins (e-mail, password, role, store, API token) of a seeded database."

    def handle(self, *args, **options):
        logins = current_logins()
        if not logins:
            self.stderr.write("No demo logins: run manage.py seed_demo first.")
            return
        write_logins(self.stdout, self.style, logins)
