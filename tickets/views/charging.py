"""Time on a ticket (entries, the timer), the security checklist, and resolving with the
charge confirmed: technicians only. ``ticket_extras`` adds the charging parts of the ticket
page for both sides."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import staff_required

from .. import selectors, services, workflow
from ..forms.charging import (
    DeclineForm,
    EstimateForm,
    ResolveForm,
    SecurityChecklistForm,
    TimeEntryForm,
    TimerStartForm,
    TimerStopForm,
)
from ..forms.vault import CredentialForm
from ..models import Ticket, TimeEntry
from ..selectors import charging as charging_selectors
from ..selectors import vault as vault_selectors
from .detail import get_ticket, render_ticket


def ticket_extras(request, ticket: Ticket, forms: dict, *, assigned_to_me: bool = False) -> dict:
    """The charging, estimate and access-data parts of the ticket page (a fixed number of
    queries whatever the number of entries, estimates or credentials)."""
    user = request.user
    estimates = charging_selectors.estimates_for(ticket)
    preview = charging_selectors.charge_preview(ticket, estimates=estimates)
    for estimate in estimates:
        # Credits the client must buy before accepting (0 when the balance covers it).
        estimate.missing = max(0, estimate.credits - preview.covered)
        estimate.buy_url = services.recharge_url(estimate.missing)
    context = {
        "preview": preview,
        "entries": preview.entries,
        "charges": preview.charges,
        "estimates": estimates,
        "checklist": preview.checklist,
    }
    if user.is_support_staff:
        credentials = vault_selectors.ticket_credentials(ticket)
        organization_reveal = vault_selectors.reveal_ticket_for_organization(ticket, user)
        for credential in credentials:
            credential.revealable = (
                assigned_to_me if credential.ticket_id else organization_reveal is not None
            )
        timer = charging_selectors.running_timer(ticket, user)
        elapsed = int((timezone.now() - timer.started_at).total_seconds()) if timer else 0
        context |= {
            "can_resolve": workflow.can_move(ticket.status, Ticket.Status.RESOLVED, staff=True),
            "credentials": credentials,
            "timer": timer,
            "timer_elapsed": elapsed,
            "timer_elapsed_label": _clock(elapsed),
            "time_form": forms.get("time_form") or TimeEntryForm(),
            "timer_start_form": TimerStartForm(),
            "timer_stop_form": TimerStopForm(),
            "estimate_form": forms.get("estimate_form") or EstimateForm(ticket=ticket),
            "checklist_form": SecurityChecklistForm(
                instance=context["checklist"], locked=ticket.is_finished
            ),
        }
    else:
        context |= {
            "credentials": [c for c in vault_selectors.ticket_credentials(ticket) if c.ticket_id],
            "credential_form": forms.get("credential_form") or CredentialForm(),
            "decline_form": forms.get("decline_form") or DeclineForm(),
        }
    return context


def _clock(seconds: int) -> str:
    """1:05:09 (hours:minutes:seconds), as the timer's script shows it."""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _entry(request, pk) -> TimeEntry:
    entries = TimeEntry.objects.filter(
        ticket__in=selectors.tickets_visible_to(request.user).values("pk")
    ).select_related("ticket", "technician")
    return get_object_or_404(entries, pk=pk)


@staff_required
@require_POST
def time_add(request, pk):
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
def time_edit(request, pk):
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
def time_delete(request, pk):
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
def timer(request, pk):
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
def security_checklist(request, pk):
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
def resolve(request, pk):
    """The charge with its breakdown and the balance after, to confirm (GET); resolve and
    deduct (POST). When the charge exceeds the balance: the options."""
    ticket = get_ticket(request, pk)
    preview = charging_selectors.charge_preview(ticket)
    has_estimate = preview.estimate is not None
    initial = {"expected_credits": preview.to_charge, "note": request.GET.get("note", "")}
    form = ResolveForm(request.POST or None, initial=initial, has_estimate=has_estimate)
    refused = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        how = data["how"]
        goodwill = how == ResolveForm.GOODWILL
        expected = data["expected_credits"]
        if how == ResolveForm.CAP and preview.capped is not None:
            expected = min(expected, preview.capped)
        try:
            services.resolve(
                ticket,
                by=request.user,
                note=data["note"],
                goodwill_reason=data["goodwill_reason"] if goodwill else None,
                cap_to_estimate=how == ResolveForm.CAP,
                expected_credits=None if goodwill else expected,
            )
        except services.ChargeExceedsBalance as exc:
            refused = exc
            form.add_error(None, exc.message)
        except services.TicketError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _resolved_message(ticket))
            return redirect(ticket)
    context = {
        "ticket": ticket,
        "preview": preview,
        "form": form,
        "refused": refused or (preview.exceeds and preview.to_charge),
        "estimate_form": EstimateForm(
            initial={
                "kind": "estimate",
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
    charge = ticket.charges.order_by("-number").first()
    if charge is None or not charge.credits:
        return _("The ticket has been resolved. Nothing was charged.")
    return _(
        "The ticket has been resolved: %(credits)s credits charged, %(balance)s left. "
        "The client has been told."
    ) % {"credits": charge.credits, "balance": charge.balance_after}
