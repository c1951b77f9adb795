"""Reading the chain back: every record's fingerprint recomputed, every link checked, every
invoice with its record. Used by ``manage.py check_billing_records``."""

from collections.abc import Iterator

from billing.models import BillingRecord, ChainHead, Invoice, SystemEvent
from billing.verifactu.records import expected_fingerprint


def chain_mismatches() -> Iterator[str]:
    """One line per problem found, for every issuer's chain (nothing when all is right)."""
    heads = {h.issuer_tax_id: h for h in ChainHead.objects.all()}
    issuers = set(heads) | set(
        BillingRecord.objects.values_list("issuer_tax_id", flat=True).distinct()
    )
    for issuer in sorted(issuers):
        previous = None
        records = (
            BillingRecord.objects.filter(issuer_tax_id=issuer)
            .order_by("position")
            .iterator(chunk_size=2000)
        )
        for record in records:
            label = f"{issuer} #{record.position} ({record.invoice_number})"
            expected_position = (previous.position + 1) if previous else 1
            if record.position != expected_position:
                yield f"{label}: position {record.position}, expected {expected_position}"
            if record.previous_id != (previous.pk if previous else None):
                yield f"{label}: does not point at the record before it"
            wanted = previous.fingerprint if previous else ""
            if record.previous_fingerprint != wanted:
                yield f"{label}: previous fingerprint {record.previous_fingerprint!r} != {wanted!r}"
            if record.fingerprint != expected_fingerprint(record):
                yield f"{label}: fingerprint does not match its fields"
            previous = record
        head = heads.get(issuer)
        if head is None or head.last_record_id != (previous.pk if previous else None):
            yield f"{issuer}: the chain's head does not point at its last record"
    # Invoices issued before the system made its first record (before the records existed:
    # VERI*FACTU applies from the go-live date on) need none; every later one does.
    first = BillingRecord.objects.order_by("generated_at", "pk").first()
    missing = Invoice.objects.filter(records__isnull=True)
    if first is not None:
        missing = missing.filter(issued_at__gte=first.generated_at)
    for pk in missing.values_list("pk", flat=True).iterator():
        yield f"invoice {pk}: has no billing record"


def log_event(kind: str, message: str, **data) -> SystemEvent:
    """A row of the system's event log (start, stop, failure, anomaly...)."""
    return SystemEvent.objects.create(kind=kind, message=str(message)[:500], data=data)
