"""The ticket page, shared by every view that shows it (the page itself, and the actions
that show it again with a failed form): ``get_ticket``, ``render_ticket`` and its context.

Its data comes from one selector (``selectors.page.ticket_page``); this module adds the
forms and renders."""

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from tickets import selectors, services
from tickets.forms import (
    NoteForm,
    OutOfScopeForm,
    ProductForm,
    ReplyForm,
    StaffReplyForm,
    StatusForm,
)
from tickets.forms.charging import (
    DeclineForm,
    EstimateForm,
    SecurityChecklistForm,
    TimeEntryForm,
    TimerStartForm,
    TimerStopForm,
)
from tickets.forms.vault import CredentialForm
from tickets.models import Ticket
from tickets.selectors.page import TicketPage, ticket_page


def get_ticket(request: HttpRequest, pk: int) -> Ticket:
    """The ticket if the user may see it, else 404."""
    tickets = selectors.tickets_visible_to(request.user).select_related(
        "organization", "product", "contract", "requester"
    )
    return get_object_or_404(tickets, pk=pk)


def too_long_status(form: Form) -> int:
    """400 when a text of the form was beyond its bound (a 2 MB description, say), else 200:
    the page shows the form with its message either way."""
    codes = {error.code for errors in form.errors.as_data().values() for error in errors}
    return 400 if "max_length" in codes else 200


def clock_label(seconds: int) -> str:
    """1:05:09 (hours:minutes:seconds), as the timer's script shows it."""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def page_context(request: HttpRequest, page: TicketPage, forms: dict) -> dict:
    """The template context of the ticket page: its data and its forms (the bound forms
    of a failed POST in ``forms``)."""
    ticket, user = page.ticket, request.user
    context = {
        "ticket": ticket,
        "thread": page.thread,
        "opening_files": page.opening_files,
        "history": page.history,
        "reopen_deadline": services.reopen_deadline(ticket),
        "now": timezone.now(),
        "preview": page.preview,
        "entries": page.entries,
        "charges": page.charges,
        "estimates": page.estimates,
        "checklist": page.checklist,
        "credentials": page.credentials,
    }
    if not user.is_support_staff:
        return context | {
            "reply_form": forms.get("reply_form") or ReplyForm(),
            "credential_form": forms.get("credential_form") or CredentialForm(),
            "decline_form": forms.get("decline_form") or DeclineForm(),
        }
    context |= {
        "reply_form": forms.get("reply_form") or StaffReplyForm(ticket=ticket),
        "note_form": forms.get("note_form") or NoteForm(),
        "status_form": forms.get("status_form") or StatusForm(ticket=ticket),
        "scope_form": forms.get("scope_form") or OutOfScopeForm(),
        "assignees": page.assignees,
        "assigned_to_me": any(a.pk == user.pk for a in page.assignees),
        "can_resolve": page.can_resolve,
        "timer": page.timer,
        "timer_elapsed": page.timer_elapsed,
        "timer_elapsed_label": clock_label(page.timer_elapsed),
        "time_form": forms.get("time_form") or TimeEntryForm(),
        "timer_start_form": TimerStartForm(),
        "timer_stop_form": TimerStopForm(),
        "estimate_form": forms.get("estimate_form") or EstimateForm(ticket=ticket),
        "checklist_form": SecurityChecklistForm(instance=page.checklist, locked=ticket.is_finished),
    }
    if ticket.product_to_confirm:
        context["product_form"] = ProductForm(
            initial={"product": ticket.product_id},
            products=selectors.contracted_products(ticket.organization),
        )
    return context


def render_ticket(
    request: HttpRequest, ticket: Ticket, *, status: int = 200, **forms
) -> HttpResponse:
    """The ticket page, with the bound forms of a failed POST in ``forms`` (``status``
    400 when their input broke the forms' rules)."""
    user = request.user
    if user.organization_id is not None and user.organization_id == ticket.organization_id:
        # The navbar shows the client's organization: the ticket's (select_related) is the
        # same row, so the page does not read it again.
        user.organization = ticket.organization
    context = page_context(request, ticket_page(ticket, user), forms)
    if user.is_support_staff:
        return render(request, "tickets/ticket_staff.html", context, status=status)
    return render(request, "tickets/ticket_detail.html", context, status=status)
