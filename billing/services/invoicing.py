"""Issuing invoices: the next number of a series and year, and the seller/buyer snapshot.

Runs inside the caller's transaction (confirm_payment, refund_order): the counter row of
the series and year stays locked until that transaction ends, so numbers are handed out
one at a time, and a rolled-back payment gives its number back: no gaps, no duplicates.
"""

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from accounts.models import Organization
from billing.models import Invoice, InvoiceCounter, InvoiceLine, Order
from billing.money import Quote
from billing.verifactu.records import register_invoice


def next_sequence(series: str, year: int) -> int:
    """Take the next number of ``series`` in ``year`` (1, 2, 3...), locking its counter."""
    # INSERT ... ON CONFLICT DO NOTHING: the first invoice of a year creates the row; a
    # concurrent twin waits for it, then finds it.
    InvoiceCounter.objects.bulk_create(
        [InvoiceCounter(series=series, year=year, last=0)], ignore_conflicts=True
    )
    counter = InvoiceCounter.objects.select_for_update().get(series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _seller() -> dict:
    seller = settings.SELLER
    return {
        "seller_name": seller["name"],
        "seller_tax_id": seller["tax_id"],
        "seller_address": "\n".join(part.strip() for part in seller["address"].split(",")),
        "seller_email": seller.get("email", ""),
    }


def _buyer(organization: Organization) -> dict:
    return {
        "buyer_name": organization.name,
        "buyer_tax_id": organization.tax_id,
        "buyer_address": "\n".join(organization.billing_address_lines),
    }


def _line_kind(registration: bool) -> str:
    return InvoiceLine.Kind.REGISTRATION if registration else InvoiceLine.Kind.RECHARGE


def issue_invoice(
    order: Order,
    *,
    organization: Organization,
    issued_at: datetime,
    registration: bool,
    expires_on: date | None,
    line_kind: str | None = None,
) -> Invoice:
    """The invoice of a paid order: one line (the pack, or ``line_kind`` such as a plan's
    period), the order's base, VAT and total."""
    year = timezone.localdate(issued_at).year
    series = settings.BILLING_INVOICE_SERIES
    invoice = Invoice.objects.create(
        order=order,
        kind=Invoice.Kind.INVOICE,
        series=series,
        year=year,
        sequence=next_sequence(series, year),
        issued_at=issued_at,
        base=order.base,
        vat_rate=order.vat_rate,
        vat_amount=order.vat_amount,
        total=order.total,
        **_seller(),
        **_buyer(organization),
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        position=1,
        kind=line_kind or _line_kind(registration),
        credits=order.credits,
        expires_on=expires_on,
        quantity=1,
        unit_price=order.base,
        amount=order.base,
    )
    # The VERI*FACTU record, in this same transaction: no invoice without its record.
    register_invoice(invoice, now=issued_at)
    return invoice


def issue_corrective(original: Invoice, *, issued_at: datetime, reason: str) -> Invoice:
    """The corrective invoice of a refund: its own series, the original's lines and amounts
    negated, the original's seller and buyer (the parties of the corrected operation)."""
    year = timezone.localdate(issued_at).year
    series = settings.BILLING_CORRECTIVE_SERIES
    amounts = Quote(original.base, original.vat_rate, original.vat_amount, original.total)
    negated = amounts.negated()
    corrective = Invoice.objects.create(
        order_id=original.order_id,
        kind=Invoice.Kind.CORRECTIVE,
        corrects=original,
        series=series,
        year=year,
        sequence=next_sequence(series, year),
        issued_at=issued_at,
        seller_name=original.seller_name,
        seller_tax_id=original.seller_tax_id,
        seller_address=original.seller_address,
        seller_email=original.seller_email,
        buyer_name=original.buyer_name,
        buyer_tax_id=original.buyer_tax_id,
        buyer_address=original.buyer_address,
        base=negated.base,
        vat_rate=negated.vat_rate,
        vat_amount=negated.vat_amount,
        total=negated.total,
        reason=reason,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=corrective,
            position=line.position,
            kind=line.kind,
            credits=line.credits,
            expires_on=line.expires_on,
            quantity=-line.quantity,
            unit_price=line.unit_price,
            amount=-line.amount,
        )
        for line in original.lines.order_by("position")
    )
    register_invoice(corrective, now=issued_at)
    return corrective
