"""Writing billing records: the alta of each invoice and the anulación of one issued by
mistake, appended to the issuer's chain under its lock, with their submission row.

``register_invoice`` runs inside the transaction that issues the invoice (invoicing.py):
if the record cannot be made, the invoice is not issued either.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.errors import ChainBroken, InvalidIssuer, NotAnnullable
from billing.models import BillingRecord, ChainHead, Invoice, RecordSubmission, SystemEvent
from billing.verifactu import huella, taxid

# The corrective invoice of a refund: the operation is cancelled or its price altered,
# art. 80 Dos LIVA → R1, corrected "por diferencias" (the amounts are negative).
CORRECTIVE_TYPE = BillingRecord.InvoiceType.R1


def _lock_head(issuer_tax_id: str) -> ChainHead:
    # INSERT ... ON CONFLICT DO NOTHING, then lock: concurrent first records of an issuer
    # wait for each other instead of both starting a chain.
    ChainHead.objects.bulk_create([ChainHead(issuer_tax_id=issuer_tax_id)], ignore_conflicts=True)
    return ChainHead.objects.select_for_update().get(issuer_tax_id=issuer_tax_id)


def _previous(head: ChainHead) -> BillingRecord | None:
    """The chain's last record, after proving the head agrees with the records table."""
    last = (
        BillingRecord.objects.filter(issuer_tax_id=head.issuer_tax_id).order_by("-position").first()
    )
    if (last.pk if last else None) != head.last_record_id or head.length != (
        last.position if last else 0
    ):
        # Logged by the caller after the rollback (confirm_payment, refund_order).
        raise ChainBroken()
    return last


def _append(head: ChainHead, record: BillingRecord) -> BillingRecord:
    record.save()
    head.last_record = record
    head.length = record.position
    head.save(update_fields=["last_record", "length"])
    submission = RecordSubmission(record=record)
    if record.buyer_tax_id and not taxid.is_valid_buyer_tax_id(record.buyer_tax_id):
        # The money has arrived: the invoice and its record stand, but the agency would
        # reject the record. It waits for an admin to correct the invoice.
        submission.status = RecordSubmission.Status.HELD
        submission.error_message = _(
            "The buyer's tax id %(tax_id)s fails its checksum: correct the organization's "
            "tax id and issue a corrective invoice."
        ) % {"tax_id": record.buyer_tax_id}
        SystemEvent.objects.create(
            kind=SystemEvent.Kind.ANOMALY,
            message=submission.error_message[:500],
            data={"record": record.pk, "invoice": record.invoice_id},
        )
    submission.save()
    return record


def _generated_at(now: datetime | None) -> tuple[datetime, str]:
    now = timezone.localtime(now or timezone.now()).replace(microsecond=0)
    return now, huella.format_timestamp(now)


def _issuer(invoice: Invoice) -> str:
    issuer = taxid.normalize(invoice.seller_tax_id)
    if not taxid.is_valid_nif(issuer):
        raise InvalidIssuer()
    return issuer


@transaction.atomic
def register_invoice(invoice: Invoice, *, now: datetime | None = None) -> BillingRecord:
    """The registro de alta of ``invoice``, appended to its issuer's chain, with its
    submission row. Raises InvalidIssuer, ChainBroken (nothing is written)."""
    issuer = _issuer(invoice)
    head = _lock_head(issuer)
    previous = _previous(head)
    generated_at, generated_text = _generated_at(now)
    issue_date = timezone.localdate(invoice.issued_at)
    invoice_type = CORRECTIVE_TYPE if invoice.is_corrective else BillingRecord.InvoiceType.F1
    previous_fingerprint = previous.fingerprint if previous else ""
    record = BillingRecord(
        kind=BillingRecord.Kind.ALTA,
        invoice=invoice,
        position=(previous.position + 1) if previous else 1,
        issuer_tax_id=issuer,
        issuer_name=invoice.seller_name[:120],
        invoice_number=invoice.number,
        issue_date=issue_date,
        invoice_type=invoice_type,
        buyer_name=invoice.buyer_name[:120],
        buyer_tax_id=taxid.normalize(invoice.buyer_tax_id) if invoice.buyer_tax_id else "",
        description=", ".join(line.description for line in invoice.lines.all())[:500]
        or invoice.get_kind_display(),
        base=invoice.base,
        vat_rate=invoice.vat_rate,
        vat_amount=invoice.vat_amount,
        total=invoice.total,
        generated_at=generated_at,
        generated_at_text=generated_text,
        previous=previous,
        previous_fingerprint=previous_fingerprint,
    )
    if invoice.is_corrective:
        record.corrected_number = invoice.corrects.number
        record.corrected_issue_date = timezone.localdate(invoice.corrects.issued_at)
    record.fingerprint = expected_fingerprint(record)
    return _append(head, record)


@transaction.atomic
def annul_invoice(invoice: Invoice, *, reason: str, now: datetime | None = None) -> BillingRecord:
    """The registro de anulación of an invoice issued by mistake (the invoice itself stays,
    immutable). Raises NotAnnullable, ChainBroken."""
    alta = BillingRecord.objects.filter(invoice=invoice, kind=BillingRecord.Kind.ALTA).first()
    if (
        alta is None
        or BillingRecord.objects.filter(invoice=invoice, kind=BillingRecord.Kind.ANULACION).exists()
    ):
        raise NotAnnullable()
    head = _lock_head(alta.issuer_tax_id)
    previous = _previous(head)
    generated_at, generated_text = _generated_at(now)
    record = BillingRecord(
        kind=BillingRecord.Kind.ANULACION,
        invoice=invoice,
        position=previous.position + 1,
        issuer_tax_id=alta.issuer_tax_id,
        issuer_name=alta.issuer_name,
        invoice_number=alta.invoice_number,
        issue_date=alta.issue_date,
        description=str(reason or "")[:500],
        generated_at=generated_at,
        generated_at_text=generated_text,
        previous=previous,
        previous_fingerprint=previous.fingerprint,
    )
    record.fingerprint = expected_fingerprint(record)
    return _append(head, record)


def expected_fingerprint(record: BillingRecord) -> str:
    """The fingerprint ``record`` must carry, recomputed from its stored fields."""
    if record.kind == BillingRecord.Kind.ANULACION:
        return huella.anulacion_fingerprint(
            issuer_tax_id=record.issuer_tax_id,
            invoice_number=record.invoice_number,
            issue_date=huella.format_date(record.issue_date),
            previous_fingerprint=record.previous_fingerprint,
            generated_at=record.generated_at_text,
        )
    return huella.alta_fingerprint(
        issuer_tax_id=record.issuer_tax_id,
        invoice_number=record.invoice_number,
        issue_date=huella.format_date(record.issue_date),
        invoice_type=record.invoice_type,
        vat_amount=huella.format_amount(record.vat_amount),
        total=huella.format_amount(record.total),
        previous_fingerprint=record.previous_fingerprint,
        generated_at=record.generated_at_text,
    )
