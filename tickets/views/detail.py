"""The ticket page (one URL; clients and technicians see different pages), the actions a
client and a technician share (reply, close, reopen), and attachment downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import clock, selectors, services
from ..forms import (
    NoteForm,
    OutOfScopeForm,
    ProductForm,
    ReplyForm,
    StaffReplyForm,
    StatusForm,
)
from ..models import Ticket


def get_ticket(request, pk):
    """The ticket if the user may see it, else 404."""
    tickets = selectors.tickets_visible_to(request.user).select_related(
        "organization", "product", "contract", "requester"
    )
    return get_object_or_404(tickets, pk=pk)


def too_long_status(form) -> int:
    """400 when a text of the form was beyond its bound (a 2 MB description, say), else 200:
    the page shows the form with its message either way."""
    codes = {error.code for errors in form.errors.as_data().values() for error in errors}
    return 400 if "max_length" in codes else 200


def render_ticket(request, ticket, *, status: int = 200, **forms):
    """The ticket page, with the bound forms of a failed POST in ``forms`` (``status``
    400 when their input broke the forms' rules)."""
    from .charging import ticket_extras  # builds on this module

    user = request.user
    clock.attach_sla([ticket])
    context = {
        "ticket": ticket,
        "thread": selectors.thread_for(ticket, user),
        "opening_files": selectors.opening_attachments(ticket),
        "reopen_deadline": services.reopen_deadline(ticket),
        "now": timezone.now(),
    }
    if user.is_support_staff:
        context |= {
            "reply_form": forms.get("reply_form") or StaffReplyForm(ticket=ticket),
            "note_form": forms.get("note_form") or NoteForm(),
            "status_form": forms.get("status_form") or StatusForm(ticket=ticket),
            "scope_form": forms.get("scope_form") or OutOfScopeForm(),
            "assignees": list(ticket.assignees.order_by("full_name", "email")),
            "history": selectors.ticket_history(ticket),
        }
        if ticket.product_to_confirm:
            context["product_form"] = ProductForm(
                initial={"product": ticket.product_id},
                products=selectors.contracted_products(ticket.organization),
            )
        context["assigned_to_me"] = any(a.pk == user.pk for a in context["assignees"])
        context |= ticket_extras(request, ticket, forms, assigned_to_me=context["assigned_to_me"])
        return render(request, "tickets/ticket_staff.html", context, status=status)
    context["reply_form"] = forms.get("reply_form") or ReplyForm()
    context["history"] = selectors.ticket_history(ticket)
    context |= ticket_extras(request, ticket, forms)
    return render(request, "tickets/ticket_detail.html", context, status=status)


@login_required
def ticket_detail(request, pk):
    return render_ticket(request, get_ticket(request, pk))


@login_required
@require_POST
def reply(request, pk):
    ticket = get_ticket(request, pk)
    staff = request.user.is_support_staff
    if staff:
        form = StaffReplyForm(request.POST, request.FILES, ticket=ticket)
    else:
        form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        status = (form.cleaned_data.get("status") or None) if staff else None
        # Resolving charges the ticket: the technician confirms the charge on its own page.
        resolving = status == Ticket.Status.RESOLVED
        try:
            services.add_reply(
                ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                status=None if resolving else status,
            )
        except services.TicketError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your reply has been sent."))
            if resolving:
                return redirect("tickets:resolve", pk=ticket.pk)
            return redirect(ticket)
    return render_ticket(request, ticket, reply_form=form, status=too_long_status(form))


@login_required
@require_POST
def close(request, pk):
    ticket = get_ticket(request, pk)
    try:
        services.close(ticket, by=request.user)
    except services.TicketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The ticket has been closed."))
    return redirect(ticket)


@login_required
@require_POST
def reopen(request, pk):
    ticket = get_ticket(request, pk)
    try:
        services.reopen(ticket, by=request.user)
    except services.TicketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The ticket has been reopened."))
    return redirect(ticket)


@login_required
def attachment(request, pk):
    """Serve a file only to whoever may see it (never an internal note's to a client)."""
    attachment = get_object_or_404(selectors.attachments_visible_to(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
