"""The invoice as a PDF (WeasyPrint), in the reader's language, and its email attachment."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from billing import selectors, verifactu
from billing.models import Invoice
from notifications.attachments import Attachment


def render_invoice_html(invoice: Invoice, *, language: str) -> str:
    invoice = selectors.invoice_with_lines(invoice)
    with translation.override(language):
        return render_to_string(
            "billing/invoice_pdf.html",
            {
                "invoice": invoice,
                "lines": list(invoice.lines.all()),
                "order": invoice.order,
                "language": language,
                "qr": verifactu.qr_for(invoice),
            },
        )


def render_invoice_pdf(invoice: Invoice, *, language: str) -> bytes:
    """The PDF bytes of ``invoice``, with texts in ``language`` (es or en)."""
    from weasyprint import HTML  # imported on use: it is slow to import

    html = render_invoice_html(invoice, language=language)
    # Tagged PDF/UA-1 (issue 21): structure tree, /Lang from <html lang>, title shown.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def build_invoice_pdf(*, invoice_id: int) -> Attachment:
    """The "invoice_pdf" attachment of the invoice_issued email (notifications calls it in
    the recipient's language when it sends the email)."""
    invoice = Invoice.objects.get(pk=invoice_id)
    language = translation.get_language() or settings.LANGUAGE_CODE
    return Attachment(
        invoice.filename, render_invoice_pdf(invoice, language=language), "application/pdf"
    )
