"""The technicians' queue and the actions only staff take on a ticket."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import staff_required
from helpdesk.pagination import CappedPaginator
from tickets import clock, selectors, services
from tickets.forms import NoteForm, OutOfScopeForm, ProductForm, QueueFilterForm, StatusForm
from tickets.models import Ticket
from tickets.selectors import lists as list_selectors
from tickets.views.page import get_ticket, render_ticket, too_long_status


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    organizations, technicians = selectors.queue_filter_choices(request.user)
    form = QueueFilterForm(
        request.GET or None, organizations=organizations, technicians=technicians
    )
    filters = form.filters()
    # Only the columns the rows and their clocks show (not the description, the search
    # vector, every column of the organization and of the assignees).
    tickets = list_selectors.queue_rows(request.user, filters)
    if filters.q:
        paginator = CappedPaginator(
            tickets, settings.TICKETS_PER_PAGE, cap=settings.TICKETS_SEARCH_COUNT_CAP
        )
    else:
        paginator = Paginator(tickets, settings.TICKETS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = clock.attach_sla(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "filters": filters, "page": page, "query": query.urlencode()}
    return render(request, "tickets/queue.html", context)


@staff_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the ticket (assign it to yourself), or let it go."""
    ticket = get_ticket(request, pk)
    try:
        if request.POST.get("action") == "unassign":
            services.unassign(ticket, request.user, by=request.user)
            messages.success(request, _("You are no longer assigned to this ticket."))
        else:
            services.assign(ticket, request.user, by=request.user)
            messages.success(request, _("The ticket is assigned to you."))
    except services.TicketError as exc:
        messages.error(request, exc.message)
    return redirect(ticket)


@staff_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket(request, pk)
    form = StatusForm(request.POST, ticket=ticket)
    if form.is_valid() and form.cleaned_data["status"] == Ticket.Status.RESOLVED:
        # Resolving charges the ticket: confirm the charge and its breakdown first.
        url = reverse("tickets:resolve", args=[ticket.pk])
        if note := form.cleaned_data["note"]:
            url += "?" + urlencode({"note": note})
        return redirect(url)
    if form.is_valid():
        try:
            services.change_status(
                ticket, form.cleaned_data["status"], by=request.user, note=form.cleaned_data["note"]
            )
        except services.TicketError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The status has been changed."))
            return redirect(ticket)
    return render_ticket(request, ticket, status_form=form)


@staff_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket(request, pk)
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_note(
                ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except services.TicketError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Internal note saved."))
            return redirect(ticket)
    return render_ticket(request, ticket, note_form=form, status=too_long_status(form))


@staff_required
@require_POST
def out_of_scope(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket(request, pk)
    form = OutOfScopeForm(request.POST)
    if form.is_valid():
        try:
            services.close_out_of_scope(
                ticket,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except services.TicketError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The ticket has been closed as out of scope."))
            return redirect(ticket)
    return render_ticket(request, ticket, scope_form=form)


@staff_required
@require_POST
def set_product(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or change the ticket's product (one under its organization's contracts)."""
    ticket = get_ticket(request, pk)
    form = ProductForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("product", [])))
        return redirect(ticket)
    try:
        services.set_product(ticket, form.cleaned_data["product"], by=request.user)
    except services.TicketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The product is now %(product)s.") % {"product": form.cleaned_data["product"].name},
        )
    return redirect(ticket)
