"""``python manage.py check_billing_records``: walk every issuer's VERI*FACTU chain,
recompute every fingerprint, check every link and that every invoice has its record.
Prints one line per mismatch, logs an anomaly event and exits with status 1 if any."""

from django.core.management.base import BaseCommand, CommandError

from billing.models import BillingRecord, SystemEvent
from billing.verifactu.chain import chain_mismatches, log_event


class Command(BaseCommand):
    help = "Check the chain of VERI*FACTU billing records (fingerprints and links)."

    def handle(self, *args, **options):
        problems = []
        for line in chain_mismatches():
            problems.append(line)
            self.stdout.write(line)
        if problems:
            log_event(
                SystemEvent.Kind.ANOMALY,
                f"check_billing_records: {len(problems)} mismatch(es) in the record chain.",
                problems=problems[:50],
            )
            raise CommandError(f"{len(problems)} billing record mismatch(es) found.")
        count = BillingRecord.objects.count()
        log_event(SystemEvent.Kind.CHECK, f"check_billing_records: {count} records OK.")
        self.stdout.write(self.style.SUCCESS(f"Billing records OK: {count} records checked."))
