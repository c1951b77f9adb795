"""VERI*FACTU: the billing records of invoices (Real Decreto 1007/2023, Orden
HAC/1177/2024), their fingerprint chain, the QR code and the submission to the agency.

Public: ``record_for(invoice) -> dict`` (see shared SPEC "Spanish invoicing records").
"""

from django.utils.safestring import mark_safe

from billing.models import BillingRecord, Invoice
from billing.verifactu import huella
from billing.verifactu.qr import LEGEND, LEGEND_LONG, QR_SIZE_MM, qr_svg, verification_url


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


def qr_for(invoice: Invoice) -> dict | None:
    """What the invoice page and PDF print: the QR (inline SVG, 30-40 mm), its URL and
    the legend. None for an invoice without record (issued before VERI*FACTU). One query."""
    record = (
        BillingRecord.objects.filter(invoice=invoice, kind=BillingRecord.Kind.ALTA)
        .only("issuer_tax_id", "invoice_number", "issue_date", "total")
        .first()
    )
    if record is None:
        return None
    url = verification_url(
        issuer_tax_id=record.issuer_tax_id,
        invoice_number=record.invoice_number,
        issue_date=huella.format_date(record.issue_date),
        total=record.total,
    )
    # The SVG comes from segno (no user text in it but the URL, XML-escaped by segno).
    return {
        "url": url,
        "svg": mark_safe(qr_svg(url)),  # noqa: S308
        "size_mm": QR_SIZE_MM,
        "legend": LEGEND,
        "legend_long": LEGEND_LONG,
    }


__all__ = ["as_dict", "qr_for", "record_for"]
