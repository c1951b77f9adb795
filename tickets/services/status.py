"""Status changes and assignment. Every status change goes through ``transitions.move``
(the table, the clock, the record). ``change_status`` dispatches: resolving is in
``charging`` (it charges); closing and out of scope settle the ticket's pending estimates
and held credits themselves (``estimates.settle_on_finish``), as resolving does.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import notify
from tickets.errors import ChargeNeedsApproval, ReopenWindowExpired, TicketError
from tickets.models import AssignmentChange, OutOfScopeReason, Ticket
from tickets.services.charging import request_charge_approval, resolve_within
from tickets.services.common import check_access, check_staff, lock
from tickets.services.estimates import settle_on_finish
from tickets.services.transitions import check_move, move

__all__ = [
    "assign",
    "change_status",
    "check_move",
    "close",
    "close_out_of_scope",
    "reopen",
    "reopen_deadline",
    "unassign",
]

Status = Ticket.Status


def change_status(
    ticket: Ticket, to: str, *, by: User, note: str | None = None, reason: str = ""
) -> Ticket:
    """Move ``ticket`` to status ``to`` (``note``: an internal note; ``reason``: an
    ``OutOfScopeReason`` when ``to`` is out of scope). Resolving, closing, reopening and
    out of scope go through their own services below.

    Raises InvalidTransition, NotAllowed, ReopenWindowExpired, TicketError (among them
    ChargeNeedsApproval: the approval is asked for once the resolve rolled back).
    """
    try:
        with transaction.atomic():
            return _change_status(ticket, to, by=by, note=note, reason=reason)
    except ChargeNeedsApproval as exc:
        request_charge_approval(exc)
        raise


def _change_status(ticket: Ticket, to: str, *, by: User, note: str | None, reason: str) -> Ticket:
    if to == Status.RESOLVED:
        return resolve_within(ticket, by=by, note=note)
    if to == Status.CLOSED:
        return close(ticket, by=by, note=note)
    if to == Status.OUT_OF_SCOPE:
        return close_out_of_scope(ticket, by=by, reason=reason, note=note)
    ticket = lock(ticket)
    check_access(ticket, by)
    if to == Status.OPEN and ticket.status in (Status.RESOLVED, Status.CLOSED):
        return reopen(ticket, by=by, note=note)
    return move(ticket, to, by=by, note=note)


@transaction.atomic
def close(ticket: Ticket, *, by: User, note: str | None = None) -> Ticket:
    """Close the ticket (its client, or staff). Raises NotAllowed, InvalidTransition."""
    ticket = lock(ticket)
    check_access(ticket, by)
    ticket = move(ticket, Status.CLOSED, by=by, note=note)
    settle_on_finish(ticket, by=by)
    return ticket


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
    return move(ticket, Status.OPEN, by=by, note=note)


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
    ticket = move(ticket, Status.OUT_OF_SCOPE, by=by, note=note)
    settle_on_finish(ticket, by=by)
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
