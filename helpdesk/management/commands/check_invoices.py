"""``python manage.py check_invoices``: invoice numbers are gap-free within each series and
year (1..n, no duplicates) and each counter's ``last`` equals n. Exits 1 on any mismatch;
run it on a restored copy (README "Backups") or at any time."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Max, Min

from billing.models import Invoice, InvoiceCounter


class Command(BaseCommand):
    help = "Check that invoice numbers run 1..n without gaps per series and year."

    def handle(self, *args, **options):
        problems = []
        groups = (
            Invoice.objects.values("series", "year")
            .annotate(n=Count("id"), low=Min("sequence"), high=Max("sequence"))
            .order_by("series", "year")
        )
        counters = {(c.series, c.year): c.last for c in InvoiceCounter.objects.all()}
        for group in groups:
            key = (group["series"], group["year"])
            label = f"series {key[0]} {key[1]}"
            if not (group["low"] == 1 and group["high"] == group["n"]):
                problems.append(
                    f"{label}: {group['n']} invoices numbered {group['low']}..{group['high']}"
                )
            if counters.get(key, 0) != group["high"]:
                problems.append(f"{label}: counter at {counters.get(key)}, last {group['high']}")
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} invoice numbering problem(s) found.")
        total = sum(group["n"] for group in groups)
        self.stdout.write(self.style.SUCCESS(f"Invoices OK: {total} checked, no gaps."))
