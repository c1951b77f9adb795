"""Estimates and quotes: the technician sends one from the ticket page; the client accepts
or declines it there."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import client_required, staff_required
from tickets import selectors, services
from tickets.forms.charging import DeclineForm, EstimateForm
from tickets.models import Estimate
from tickets.views.page import get_ticket, render_ticket


def _estimate(request: HttpRequest, pk: int) -> Estimate:
    """An estimate of a ticket the user may see, else 404."""
    estimates = Estimate.objects.filter(
        ticket__in=selectors.tickets_visible_to(request.user).values("pk")
    ).select_related("ticket", "ticket__organization", "ticket__product", "hold")
    return get_object_or_404(estimates, pk=pk)


def _back(estimate: Estimate) -> HttpResponse:
    return redirect(reverse("tickets:detail", args=[estimate.ticket_id]) + "#estimates")


@staff_required
@require_POST
def estimate_create(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket(request, pk)
    form = EstimateForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            estimate = services.send_estimate(ticket, by=request.user, **form.cleaned_data)
        except services.TicketError as exc:
            form.add_error(None, exc.message)
        else:
            ticket.refresh_from_db()
            if ticket.status == ticket.Status.AWAITING_CREDITS:
                text = _(
                    "Sent. It is more than the client has available: the ticket awaits "
                    "credits and the client has been told how many to buy."
                )
            else:
                text = _("Sent. The ticket awaits the client's acceptance.")
            messages.success(request, text)
            return _back(estimate)
    return render_ticket(request, ticket, estimate_form=form)


@client_required
@require_POST
def estimate_accept(request: HttpRequest, pk: int) -> HttpResponse:
    estimate = _estimate(request, pk)
    try:
        estimate = services.accept_estimate(estimate, by=request.user)
    except services.TicketError as exc:
        messages.error(request, exc.message)
    else:
        if estimate.is_pending:
            messages.info(
                request,
                _(
                    "Thank you: this estimate is above your organization's approval "
                    "threshold, so it is waiting for a manager's approval. The managers "
                    "have been emailed."
                ),
            )
            return _back(estimate)
        messages.success(
            request,
            _("Accepted: %(credits)s credits are reserved for this ticket and work resumes.")
            % {"credits": estimate.credits},
        )
    return _back(estimate)


@client_required
@require_POST
def estimate_decline(request: HttpRequest, pk: int) -> HttpResponse:
    estimate = _estimate(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.decline_estimate(estimate, by=request.user, reason=form.cleaned_data["reason"])
        except services.TicketError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Declined. The technician sees your reason on the ticket."))
            return _back(estimate)
    return render_ticket(request, estimate.ticket, decline_form=form)
