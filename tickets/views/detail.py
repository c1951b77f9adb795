"""The ticket page (one URL; clients and technicians see different pages), the actions a
client and a technician share (reply, close, reopen), and attachment downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets import selectors, services
from tickets.forms import ReplyForm, StaffReplyForm
from tickets.models import Ticket
from tickets.views.page import get_ticket, render_ticket, too_long_status

__all__ = ["attachment", "close", "get_ticket", "reopen", "reply", "ticket_detail"]


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_ticket(request, get_ticket(request, pk))


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
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
def close(request: HttpRequest, pk: int) -> HttpResponse:
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
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket(request, pk)
    try:
        services.reopen(ticket, by=request.user)
    except services.TicketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The ticket has been reopened."))
    return redirect(ticket)


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
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
