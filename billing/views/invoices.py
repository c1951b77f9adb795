"""Invoices: the client's list, an invoice's page, its PDF (the organization's users and
admins; anyone else gets 404)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation

from accounts.permissions import manager_required, staff_or_manager_required
from billing import selectors, verifactu
from billing.pdf import render_invoice_pdf

INVOICES_PER_PAGE = 25


@manager_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.invoices_of(request.user.organization), INVOICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "billing/invoice_list.html", {"page": page})


@staff_or_manager_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(selectors.invoices_visible_to(request.user), pk=pk)
    invoice = selectors.invoice_with_lines(invoice)
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "qr": verifactu.qr_for(invoice),
        },
    )


@staff_or_manager_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The invoice's PDF in the reader's language."""
    invoice = get_object_or_404(selectors.invoices_visible_to(request.user), pk=pk)
    language = translation.get_language()
    response = HttpResponse(
        render_invoice_pdf(invoice, language=language), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{invoice.filename}"'
    return response
