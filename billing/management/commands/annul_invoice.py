"""``python manage.py annul_invoice NUMBER --reason TEXT``: the VERI*FACTU annulment record
("registro de anulación") of an invoice issued by mistake. The invoice itself stays as
issued (immutable); a refund, not an annulment, is the way to undo a sale."""

from django.core.management.base import BaseCommand, CommandError

from billing.errors import VerifactuError
from billing.models import Invoice
from billing.verifactu.records import annul_invoice


class Command(BaseCommand):
    help = "Write the VERI*FACTU annulment record of an invoice issued by mistake."

    def add_arguments(self, parser):
        parser.add_argument("number", help='the invoice number as printed, e.g. "A-2026-0001"')
        parser.add_argument("--reason", required=True)

    def handle(self, *args, number, reason, **options):
        series, _sep, rest = number.strip().partition("-")
        year, _sep, sequence = rest.partition("-")
        if not (year.isdigit() and sequence.isdigit()) or not reason.strip():
            raise CommandError("Give the number as SERIES-YEAR-NUMBER and a reason.")
        invoice = Invoice.objects.filter(
            series=series, year=int(year), sequence=int(sequence)
        ).first()
        if invoice is None:
            raise CommandError(f"No invoice {number}.")
        try:
            record = annul_invoice(invoice, reason=reason.strip()[:500])
        except VerifactuError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"Annulment record #{record.position} of {number}: {record.fingerprint}")
