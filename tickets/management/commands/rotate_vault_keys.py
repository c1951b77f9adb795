"""Re-encrypt every stored credential with the newest key of VAULT_KEYS.

Rotation: put a new key first in VAULT_KEYS (keep the old ones after it), restart, run
this command, then remove the old keys. Safe to run twice.
"""

from django.core.management.base import BaseCommand, CommandError

from tickets import crypto
from tickets.services import rotate_all


class Command(BaseCommand):
    help = "Re-encrypt the credential vault with the newest key of VAULT_KEYS."

    def handle(self, *args, **options):
        try:
            count = rotate_all()
        except crypto.VaultError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"Re-encrypted {count} credentials with the newest vault key.")
