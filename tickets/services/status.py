"""Status changes and assignment. Every status change goes through ``_move``: it checks the
transition table (``tickets.workflow``), stops or restarts the SLA clock, and records who
did it. Resolving is in ``charging`` (it charges); a finished ticket's pending estimates and
held credits are settled by ``estimates.settle_on_finish``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.webhooks import WebhookEvent, queue_ticket_event

from .. import notify, workflow
from ..clock import restart, stop
from ..errors import InvalidTransition, NotAllowed, ReopenWindowExpired, TicketError
from ..models import (
    ACTIVE_STATUSES,
    FINISHED_STATUSES,
    RUNNING_STATUSES,
    AssignmentChange,
    Message,
    OutOfScopeReason,
    StatusChange,
    Ticket,
)
from .common import check_access, check_staff, lock

Status = Ticket.Status


def check_move(ticket: Ticket, to: str, by: User) -> None:
    """Raises InvalidTransition unless ``by`` may move ``ticket`` to ``to`` (the table of
    ``tickets.workflow``: staff's or the client's)."""
    if to not in Status.values:
        raise InvalidTransition(ticket.status, to, _("Unknown status: %(status)s") % {"status": to})
    if not workflow.can_move(ticket.status, to, staff=by.is_support_staff):
        raise InvalidTransition(
            ticket.status,
            to,
            _("A ticket cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Status(ticket.status).label, "to": Status(to).label},
        )


def _move(ticket: Ticket, to: str, *, by: User, note: str | None = None) -> Ticket:
    """Move a locked, checked ticket to ``to`` and save it."""
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
        WebhookEvent.TICKET_STATUS_CHANGED, ticket, key=change.pk, previous=change.from_status
    )
    if note and note.strip():
        Message.objects.create(ticket=ticket, author=by, body=note.strip(), is_internal=True)
    if to in FINISHED_STATUSES:
        from .estimates import settle_on_finish  # estimates build on this module

        settle_on_finish(ticket, by=by)
    return ticket


@transaction.atomic
def change_status(
    ticket: Ticket, to: str, *, by: User, note: str | None = None, reason: str = ""
) -> Ticket:
    """Move ``ticket`` to status ``to`` (``note``: an internal note; ``reason``: an
    ``OutOfScopeReason`` when ``to`` is out of scope). Resolving, closing, reopening and
    out of scope go through their own services below.

    Raises InvalidTransition, NotAllowed, ReopenWindowExpired, TicketError.
    """
    if to == Status.RESOLVED:
        from .charging import resolve  # charging builds on this module

        return resolve(ticket, by=by, note=note)
    if to == Status.CLOSED:
        return close(ticket, by=by, note=note)
    if to == Status.OUT_OF_SCOPE:
        return close_out_of_scope(ticket, by=by, reason=reason, note=note)
    ticket = lock(ticket)
    check_access(ticket, by)
    if to == Status.OPEN and ticket.status in (Status.RESOLVED, Status.CLOSED):
        return reopen(ticket, by=by, note=note)
    check_move(ticket, to, by)
    return _move(ticket, to, by=by, note=note)


@transaction.atomic
def close(ticket: Ticket, *, by: User, note: str | None = None) -> Ticket:
    """Close the ticket (its client, or staff). Raises NotAllowed, InvalidTransition."""
    ticket = lock(ticket)
    check_access(ticket, by)
    check_move(ticket, Status.CLOSED, by)
    return _move(ticket, Status.CLOSED, by=by, note=note)


def reopen_deadline(ticket: Ticket):
    """Until when the client may reopen a resolved or closed ticket (None: not finished)."""
    finished_at = ticket.closed_at if ticket.status == Status.CLOSED else ticket.resolved_at
    finished_at = finished_at or ticket.resolved_at or ticket.closed_at
    if ticket.status not in (Status.RESOLVED, Status.CLOSED) or finished_at is None:
        return None
    return finished_at + timedelta(days=settings.TICKET_REOPEN_DAYS)


@transaction.atomic
def reopen(ticket: Ticket, *, by: User, note: str | None = None) -> Ticket:
    """Reopen a resolved or closed ticket; its clock restarts where it stopped. A client
    may do it within ``settings.TICKET_REOPEN_DAYS`` days; staff at any time.

    Raises NotAllowed, InvalidTransition, ReopenWindowExpired.
    """
    ticket = lock(ticket)
    check_access(ticket, by)
    check_move(ticket, Status.OPEN, by)
    if not by.is_support_staff and timezone.now() > reopen_deadline(ticket):
        raise ReopenWindowExpired
    return _move(ticket, Status.OPEN, by=by, note=note)


@transaction.atomic
def close_out_of_scope(ticket: Ticket, *, by: User, reason: str, note: str | None = None) -> Ticket:
    """Close as out of scope with one of ``OutOfScopeReason`` (staff); never charged.

    Raises NotAllowed, InvalidTransition, TicketError (unknown reason).
    """
    check_staff(by)
    if reason not in OutOfScopeReason.values:
        raise TicketError(_("Choose why the ticket is out of scope."))
    ticket = lock(ticket)
    check_move(ticket, Status.OUT_OF_SCOPE, by)
    ticket.out_of_scope_reason = reason
    ticket = _move(ticket, Status.OUT_OF_SCOPE, by=by, note=note)
    notify.out_of_scope(ticket, by=by)
    return ticket


@transaction.atomic
def assign(ticket: Ticket, technician: User, *, by: User) -> Ticket:
    """Add ``technician`` to the ticket's assignees (staff), recorded in the ticket's
    history and the client's access log (nothing when already assigned). Raises NotAllowed."""
    check_staff(by)
    check_staff(technician)
    ticket = lock(ticket)
    if not ticket.assignees.filter(pk=technician.pk).exists():
        ticket.assignees.add(technician)
        _record_assignment(ticket, technician, AssignmentChange.Action.ASSIGNED, by=by)
    return ticket


@transaction.atomic
def unassign(ticket: Ticket, technician: User, *, by: User) -> Ticket:
    """Remove ``technician`` from the ticket's assignees (staff), recorded like ``assign``.
    Raises NotAllowed."""
    check_staff(by)
    ticket = lock(ticket)
    if ticket.assignees.filter(pk=technician.pk).exists():
        ticket.assignees.remove(technician)
        _record_assignment(ticket, technician, AssignmentChange.Action.UNASSIGNED, by=by)
    return ticket


def _record_assignment(ticket: Ticket, technician: User, action: str, *, by: User) -> None:
    """Being assigned opens the ticket's access data: keep who did it, to whom and when."""
    AssignmentChange.objects.create(
        ticket=ticket,
        organization_id=ticket.organization_id,
        technician=technician,
        action=action,
        by=by,
    )
