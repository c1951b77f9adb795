"""Technicians' time on a ticket: entries (minutes, channel, note, date) and the start/stop
timer, whose state lives on the server. Entries change only until the ticket is resolved."""

import math
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.errors import InvalidTimeEntry, NotAllowed, TicketError, WorkLocked
from tickets.models import RunningTimer, Ticket, TimeEntry
from tickets.services.common import check_staff, lock

# One entry is one day's work at most (minutes).
MAX_ENTRY_MINUTES = 24 * 60


def _clean(minutes, channel: str, work_date: date | None, note: str) -> dict:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise InvalidTimeEntry
    if minutes > MAX_ENTRY_MINUTES:
        raise InvalidTimeEntry(
            _("One entry is at most %(max)s minutes (a whole day).") % {"max": MAX_ENTRY_MINUTES}
        )
    if channel not in Ticket.Channel.values:
        raise InvalidTimeEntry(_("Unknown channel: %(channel)s") % {"channel": channel})
    work_date = work_date or timezone.localdate()
    if work_date > timezone.localdate():
        raise InvalidTimeEntry(_("Time cannot be logged for a future date."))
    return {
        "minutes": minutes,
        "channel": channel,
        "work_date": work_date,
        "note": (note or "").strip()[:500],
    }


def _open_ticket(ticket: Ticket) -> Ticket:
    """The ticket locked; raises WorkLocked when it is finished."""
    ticket = lock(ticket)
    if ticket.is_finished:
        raise WorkLocked
    return ticket


def _editable(entry: TimeEntry, by: User) -> TimeEntry:
    """The entry locked, if ``by`` may still change it. Raises NotAllowed, WorkLocked."""
    check_staff(by)
    _open_ticket(entry.ticket)
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.technician_id != by.pk and not by.is_staff:
        raise NotAllowed(_("Only the technician who logged this time, or an admin, may change it."))
    if entry.charge_id is not None:
        raise WorkLocked(_("This time has already been charged: it can no longer be changed."))
    return entry


@transaction.atomic
def log_time(
    ticket: Ticket,
    *,
    by: User,
    minutes: int,
    channel: str = Ticket.Channel.PORTAL,
    note: str = "",
    work_date: date | None = None,
) -> TimeEntry:
    """Record ``minutes`` (real minutes, a whole number above zero) of ``by``'s work.

    Raises NotAllowed (not staff), WorkLocked (finished ticket), InvalidTimeEntry.
    """
    check_staff(by)
    fields = _clean(minutes, channel, work_date, note)
    ticket = _open_ticket(ticket)
    return TimeEntry.objects.create(ticket=ticket, technician=by, **fields)


@transaction.atomic
def update_time_entry(
    entry: TimeEntry,
    *,
    by: User,
    minutes: int,
    channel: str,
    note: str = "",
    work_date: date | None = None,
) -> TimeEntry:
    """Correct an entry (its technician or an admin), until the ticket is resolved.

    Raises NotAllowed, WorkLocked, InvalidTimeEntry.
    """
    fields = _clean(minutes, channel, work_date, note)
    entry = _editable(entry, by)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save()
    return entry


@transaction.atomic
def delete_time_entry(entry: TimeEntry, *, by: User) -> None:
    """Remove an entry (its technician or an admin), until the ticket is resolved.

    Raises NotAllowed, WorkLocked.
    """
    _editable(entry, by).delete()


@transaction.atomic
def start_timer(ticket: Ticket, *, by: User, channel: str = Ticket.Channel.PORTAL) -> RunningTimer:
    """Start ``by``'s timer on the ticket; a timer already running is returned as it is.

    Raises NotAllowed, WorkLocked, InvalidTimeEntry (unknown channel).
    """
    check_staff(by)
    if channel not in Ticket.Channel.values:
        raise InvalidTimeEntry(_("Unknown channel: %(channel)s") % {"channel": channel})
    ticket = _open_ticket(ticket)
    existing = RunningTimer.objects.filter(ticket=ticket, technician=by).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return RunningTimer.objects.create(ticket=ticket, technician=by, channel=channel)
    except IntegrityError:  # pragma: no cover - the ticket lock serializes starts
        return RunningTimer.objects.get(ticket=ticket, technician=by)


def elapsed_minutes(timer: RunningTimer, now=None) -> int:
    """Whole minutes since the timer started, rounded up, at least 1."""
    seconds = ((now or timezone.now()) - timer.started_at).total_seconds()
    return max(1, math.ceil(seconds / 60))


@transaction.atomic
def stop_timer(ticket: Ticket, *, by: User, note: str = "") -> TimeEntry:
    """Stop ``by``'s timer: its minutes (rounded up) become a time entry on the day it
    started. Raises NotAllowed, WorkLocked, TicketError (no timer running)."""
    check_staff(by)
    ticket = _open_ticket(ticket)
    timer = RunningTimer.objects.select_for_update().filter(ticket=ticket, technician=by).first()
    if timer is None:
        raise TicketError(_("No timer is running on this ticket."))
    minutes = min(elapsed_minutes(timer), MAX_ENTRY_MINUTES)
    started_on = timezone.localdate(timer.started_at)
    entry = TimeEntry.objects.create(
        ticket=ticket,
        technician=by,
        minutes=minutes,
        channel=timer.channel,
        note=(note or "").strip()[:500],
        work_date=started_on,
    )
    timer.delete()
    return entry


@transaction.atomic
def discard_timer(ticket: Ticket, *, by: User) -> None:
    """Drop ``by``'s timer without logging anything (also on a finished ticket).

    Raises NotAllowed.
    """
    check_staff(by)
    RunningTimer.objects.filter(ticket=ticket, technician=by).delete()
