"""The client portal: the organization's tickets, opening one, asking to renew a contract."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import client_required
from tickets import calendars, selectors, services
from tickets.forms import ClientFilterForm, RenewalForm, TicketForm
from tickets.models import Ticket
from tickets.selectors import lists as list_selectors
from tickets.views.page import too_long_status


@client_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    form = ClientFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    tickets = list_selectors.client_rows(request.user, status=status)
    page = Paginator(tickets, settings.TICKETS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "tickets/ticket_list.html", context)


@client_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    organization = request.user.organization
    form = TicketForm(request.POST or None, request.FILES or None)
    refused = None  # the ContractCheck that refused the ticket, to offer a renewal
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.open_ticket(
                request.user,
                data["product"],
                kind=data["kind"],
                severity=data["severity"],
                subject=data["subject"],
                description=data["description"],
                attachments=data["attachments"],
            )
        except services.NoActiveContract as exc:
            refused = exc.check
            form.add_error("product", exc.message)
        except services.TicketError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Ticket %(reference)s has been opened. We will answer you here.")
                % {"reference": ticket.reference},
            )
            return redirect(ticket)
    targets = [calendars.current_target(s) for s in Ticket.Severity.values]
    context = {
        "form": form,
        "contracts": selectors.contract_overview(organization),
        "refused": refused,
        "targets": targets,
    }
    status = too_long_status(form) if form.is_bound else 200
    return render(request, "tickets/ticket_form.html", context, status=status)


@client_required
def request_renewal(request: HttpRequest) -> HttpResponse:
    """POST: record a renewal request for the product; GET: back to the new-ticket page."""
    if request.method != "POST":
        return redirect("tickets:create")
    form = RenewalForm(request.POST)
    if form.is_valid():
        product = form.cleaned_data["product"]
        try:
            services.request_renewal(request.user.organization, product, by=request.user)
        except services.TicketError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Your request to renew the maintenance contract for %(product)s has been "
                    "recorded. Our team will contact you shortly."
                )
                % {"product": product.name},
            )
    return redirect("tickets:create")
