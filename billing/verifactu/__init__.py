"""VERI*FACTU: the billing records of invoices (Real Decreto 1007/2023, Orden
HAC/1177/2024), their fingerprint chain, the QR code and the submission to the agency.

Public: ``record_for(invoice) -> dict`` (see shared SPEC "Spanish invoicing records").
"""

from billing.models import BillingRecord, Invoice

from . import huella
from .qr import verification_url


def record_for(invoice: Invoice) -> dict:
    """The invoice's registro de alta as a dict with the Order's field names, plus
    ``HuellaAnterior`` and ``qr_url``. Raises BillingRecord.DoesNotExist."""
    record = BillingRecord.objects.get(invoice=invoice, kind=BillingRecord.Kind.ALTA)
    return as_dict(record)


def as_dict(record: BillingRecord) -> dict:
    issue_date = huella.format_date(record.issue_date)
    return {
        "IDEmisorFactura": record.issuer_tax_id,
        "NumSerieFactura": record.invoice_number,
        "FechaExpedicionFactura": issue_date,
        "TipoFactura": record.invoice_type,
        "CuotaTotal": huella.format_amount(record.vat_amount),
        "ImporteTotal": huella.format_amount(record.total),
        "FechaHoraHusoGenRegistro": record.generated_at_text,
        "Huella": record.fingerprint,
        "HuellaAnterior": record.previous_fingerprint,
        "qr_url": verification_url(
            issuer_tax_id=record.issuer_tax_id,
            invoice_number=record.invoice_number,
            issue_date=issue_date,
            total=record.total,
        ),
    }


__all__ = ["as_dict", "record_for"]
