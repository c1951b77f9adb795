"""The billing emails: "invoice issued" (an invoice or a corrective invoice, with its PDF),
written to the outbox in the caller's transaction and sent once after the commit."""

from django.utils import timezone

from accounts.models import Organization
from billing.models import Invoice
from notifications.models import Kind
from notifications.services import queue_email_to_organization
from notifications.webhooks import WebhookEvent, queue_event

# The attachment builder's name (billing.pdf.build_invoice_pdf, registered in BillingConfig).
INVOICE_PDF = "invoice_pdf"


def queue_invoice_email(invoice: Invoice, organization: Organization) -> None:
    """The "invoice issued" email with its PDF, to the organization's users, written to the
    outbox in the caller's transaction (sent once, after the commit), and its webhook event."""
    queue_email_to_organization(
        organization,
        Kind.INVOICE_ISSUED,
        {
            "organization_name": organization.name,
            "invoice_number": invoice.number,
            "total": invoice.total,
            "issued_on": timezone.localdate(invoice.issued_at),
            "invoice_url": invoice.get_absolute_url(),
        },
        dedupe_key=f"billing:invoice:{invoice.pk}",
        attachments=[(INVOICE_PDF, {"invoice_id": invoice.pk})],
    )
    queue_event(
        WebhookEvent.INVOICE_ISSUED,
        {"invoice": invoice.pk, "number": invoice.number, "total": invoice.total},
        organization=organization,
        dedupe_key=f"invoice:{invoice.pk}",
    )
