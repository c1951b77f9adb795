"""The one low-level status move: the transition table (``tickets.workflow``), the SLA
clock, the status-change row and the timestamps. It calls nothing above it: settling a
finished ticket's estimates and holds is for ``resolve``, ``close`` and
``close_out_of_scope`` (``tickets.services.estimates.settle_on_finish``).

Import order of the services, one way: common ← transitions ← estimates ← charging and
status ← views.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.webhooks import WebhookEvent, queue_ticket_event
from tickets import workflow
from tickets.clock import restart, stop
from tickets.errors import InvalidTransition, NotAllowed
from tickets.models import ACTIVE_STATUSES, RUNNING_STATUSES, Message, StatusChange, Ticket

Status = Ticket.Status


def check_move(ticket: Ticket, to: str, by: User, *, staff: bool | None = None) -> None:
    """Raises InvalidTransition unless ``ticket`` may go to ``to`` under the table of
    ``tickets.workflow``: staff's or the client's (``staff``: which one; default: ``by``'s)."""
    if to not in Status.values:
        raise InvalidTransition(ticket.status, to, _("Unknown status: %(status)s") % {"status": to})
    staff = by.is_support_staff if staff is None else staff
    if not workflow.can_move(ticket.status, to, staff=staff):
        raise InvalidTransition(
            ticket.status,
            to,
            _("A ticket cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Status(ticket.status).label, "to": Status(to).label},
        )


def move(
    ticket: Ticket,
    to: str,
    *,
    by: User,
    note: str | None = None,
    staff: bool | None = None,
    endpoints=None,
) -> Ticket:
    """Move a locked ticket to ``to`` and save it: checks the table (``check_move``; a
    client's answer to an estimate moves by staff's table, ``staff=True``), stops or
    restarts the SLA clock, records who did it (and ``note``, an internal note) and sets
    the resolved or closed time. Runs inside the caller's transaction. ``endpoints``: the
    webhook endpoints the caller read (``webhooks.active_endpoints``), else read here.

    Raises InvalidTransition, NotAllowed (a client's internal note)."""
    check_move(ticket, to, by, staff=staff)
    if note and note.strip() and not by.is_support_staff:
        raise NotAllowed(_("Only technicians write internal notes."))
    now = timezone.now()
    if ticket.status in RUNNING_STATUSES and to not in RUNNING_STATUSES:
        stop(ticket, now)
    elif ticket.status not in RUNNING_STATUSES and to in RUNNING_STATUSES:
        restart(ticket, now)
    change = StatusChange.objects.create(
        ticket=ticket, from_status=ticket.status, to_status=to, by=by
    )
    ticket.status = to
    ticket.last_activity_at = now
    if to == Status.RESOLVED:
        ticket.resolved_at = now
    elif to in (Status.CLOSED, Status.OUT_OF_SCOPE):
        ticket.closed_at = now
    elif to in ACTIVE_STATUSES:
        ticket.resolved_at = ticket.closed_at = None
    if to != Status.OUT_OF_SCOPE:
        ticket.out_of_scope_reason = ""
    ticket.save()
    queue_ticket_event(
        WebhookEvent.TICKET_STATUS_CHANGED,
        ticket,
        key=change.pk,
        previous=change.from_status,
        endpoints=endpoints,
    )
    if note and note.strip():
        Message.objects.create(ticket=ticket, author=by, body=note.strip(), is_internal=True)
    return ticket
