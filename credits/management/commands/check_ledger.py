"""``python manage.py check_ledger``: every stored balance agrees with the ledger.

For every wallet: stored balance = sum of entries = last ``balance_after`` = sum of lot
remainders; stored held = sum of open holds; each ``balance_after`` = the running sum.
Prints one line per mismatch and exits with status 1 if there is any.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from credits.selectors import ledger_mismatches


class Command(BaseCommand):
    help = "Check that stored credit balances equal the sums of entries, lots and holds."

    def handle(self, *args, **options):
        mismatches = 0
        for line in ledger_mismatches():
            mismatches += 1
            self.stdout.write(line)
        if mismatches:
            raise CommandError(f"{mismatches} ledger mismatch(es) found.")
        count = Organization.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Ledger OK: {count} organizations checked."))
