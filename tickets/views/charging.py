"""Time on a ticket (entries, the timer), the security checklist, and resolving with the
charge confirmed: technicians only."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import staff_required
from tickets import selectors, services
from tickets.forms.charging import (
    EstimateForm,
    ResolveForm,
    SecurityChecklistForm,
    TimeEntryForm,
    TimerStartForm,
    TimerStopForm,
)
from tickets.models import Estimate, Ticket, TimeEntry
from tickets.selectors import charging as charging_selectors
from tickets.views.page import get_ticket, render_ticket


def _entry(request: HttpRequest, pk: int) -> TimeEntry:
    entries = TimeEntry.objects.filter(
        ticket__in=selectors.tickets_visible_to(request.user).values("pk")
    ).select_related("ticket", "technician")
    return get_object_or_404(entries, pk=pk)


@staff_required
@require_POST
def time_add(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket(request, pk)
    form = TimeEntryForm(request.POST)
    if form.is_valid():
        try:
            services.log_time(ticket, by=request.user, **form.cleaned_data)
        except services.TicketError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Time logged."))
            return redirect(reverse("tickets:detail", args=[ticket.pk]) + "#time")
    return render_ticket(request, ticket, time_form=form)


@staff_required
def time_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    initial = {
        "minutes": entry.minutes,
        "channel": entry.channel,
        "work_date": entry.work_date,
        "note": entry.note,
    }
    form = TimeEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_time_entry(entry, by=request.user, **form.cleaned_data)
        except services.TicketError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The time entry has been corrected."))
            return redirect(reverse("tickets:detail", args=[entry.ticket_id]) + "#time")
    return render(request, "tickets/time_entry_form.html", {"entry": entry, "form": form})


@staff_required
@require_POST
def time_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    try:
        services.delete_time_entry(entry, by=request.user)
    except services.TicketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The time entry has been deleted."))
    return redirect(reverse("tickets:detail", args=[entry.ticket_id]) + "#time")


@staff_required
@require_POST
def timer(request: HttpRequest, pk: int) -> HttpResponse:
    """Start, stop (→ a time entry) or discard the technician's timer on the ticket."""
    ticket = get_ticket(request, pk)
    action = request.POST.get("action")
    try:
        if action == "start":
            form = TimerStartForm(request.POST)
            channel = form.cleaned_data["channel"] if form.is_valid() else Ticket.Channel.PORTAL
            services.start_timer(ticket, by=request.user, channel=channel)
            messages.success(request, _("Timer started."))
        elif action == "stop":
            form = TimerStopForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            entry = services.stop_timer(ticket, by=request.user, note=note)
            messages.success(
                request,
                _("Timer stopped: %(minutes)s minutes logged.") % {"minutes": entry.minutes},
            )
        elif action == "discard":
            services.discard_timer(ticket, by=request.user)
            messages.success(request, _("Timer discarded: nothing logged."))
        else:
            raise Http404
    except services.TicketError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("tickets:detail", args=[ticket.pk]) + "#time")


@staff_required
@require_POST
def security_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket(request, pk)
    form = SecurityChecklistForm(request.POST)
    if form.is_valid():
        try:
            services.update_security_checklist(ticket, by=request.user, **form.cleaned_data)
        except services.TicketError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Checklist saved."))
    return redirect(reverse("tickets:detail", args=[ticket.pk]) + "#checklist")


@staff_required
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """The charge with its breakdown and the balance after, to confirm (GET); resolve and
    deduct (POST) in the technician's mode. When the charge exceeds the balance: the
    options. The service computes the charge under the ticket's lock; the preview is read
    here only to show the page. A POST reads the ticket once: the service's locked read,
    through the tickets the user may see (404 otherwise)."""
    refused = None
    if request.method == "POST":
        # Every mode is offered to the POST: the service refuses a cap without estimate.
        form = ResolveForm(request.POST, has_estimate=True)
        if form.is_valid():
            data = form.cleaned_data
            goodwill = data["how"] == ResolveForm.GOODWILL
            try:
                ticket = services.resolve(
                    Ticket(pk=pk),
                    by=request.user,
                    mode=data["how"],
                    reason=data["goodwill_reason"],
                    note=data["note"],
                    expected_credits=None if goodwill else data["expected_credits"],
                    scope=selectors.tickets_visible_to(request.user),
                )
            except Ticket.DoesNotExist:
                raise Http404 from None
            except services.ChargeExceedsBalance as exc:
                refused = exc
                form.add_error(None, exc.message)
            except services.TicketError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _resolved_message(ticket))
                return redirect(ticket)
    # The page (a GET, or a POST refused: the ticket as it is now, if the user may see it).
    ticket = get_ticket(request, pk)
    preview = charging_selectors.charge_preview(ticket)
    if request.method != "POST":
        initial = {"expected_credits": preview.to_charge, "note": request.GET.get("note", "")}
        form = ResolveForm(initial=initial, has_estimate=preview.estimate is not None)
    elif preview.estimate is None:
        form.hide_cap()
    context = {
        "ticket": ticket,
        "preview": preview,
        "form": form,
        "refused": refused or (preview.exceeds and preview.to_charge),
        "estimate_form": EstimateForm(
            initial={
                "kind": Estimate.Kind.ESTIMATE,
                "credits": preview.to_charge,
                "description": _("Work done on this ticket: %(minutes)s minutes.")
                % {"minutes": preview.breakdown.minutes},
            }
        ),
        "finished": ticket.is_finished,
        "now": timezone.now(),
    }
    return render(request, "tickets/ticket_resolve.html", context)


def _resolved_message(ticket: Ticket) -> str:
    charge = getattr(ticket, "resolution_charge", None)  # the service's, no second read
    if charge is None or not charge.credits:
        return _("The ticket has been resolved. Nothing was charged.")
    return _(
        "The ticket has been resolved: %(credits)s credits charged, %(balance)s left. "
        "The client has been told."
    ) % {"credits": charge.credits, "balance": charge.balance_after}
