"""``manage.py verify_till_archive FILE.zip [--public-key HEX]``: check a till journal archive's
signature, files and chains (``pos.services.till_archive``). Exits 1 on the first problems found."""

from django.core.management.base import BaseCommand, CommandError

from pos.services import till_archive


class Command(BaseCommand):
    help = "Verify a till journal archive (signature, file hashes, hash chains)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive (.zip).")
        parser.add_argument(
            "--public-key", default="", help="Hex Ed25519 public key (default: this server's)."
        )

    def handle(self, *args, **options):
        check = till_archive.verify_till_archive(
            path=options["path"], public_key=options["public_key"] or None
        )
        if not check.ok:
            raise CommandError("Till archive NOT valid: " + "; ".join(check.problems))
        self.stdout.write(
            f"Till archive OK: signature valid, {check.entries} entries in {check.chains} chain(s) verified."
        )
