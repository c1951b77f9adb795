"""A ticket's SLA clock: its due dates when opened, pauses and restarts, and what the pages
show (ok / warning / breached / paused, remaining time).

The counting is ``tickets.sla`` (pure); the calendar and targets come from
``tickets.calendars``. The services call ``start``, ``stop`` and ``restart``; views call
``attach_sla``.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from tickets import calendars, sla
from tickets.models import FINISHED_STATUSES, Ticket


def start(opened_at: datetime, severity: str) -> dict:
    """The SLA fields of a ticket opened at ``opened_at`` (target copied from admin)."""
    config = calendars.current()
    target, calendar = config.targets[severity], config.calendar
    due_at = sla.resolution_due(
        opened_at,
        severity,
        calendar,
        target_hours=target.hours,
        business_hours=target.business_hours,
    )
    warning_at = sla.warning_at(
        opened_at,
        due_at,
        calendar,
        business_hours=target.business_hours,
        warning_ratio=target.warning_ratio,
    )
    return {
        "sla_target_hours": target.hours,
        "sla_business_hours": target.business_hours,
        "sla_started_at": opened_at,
        "due_at": due_at,
        "sla_warning_at": warning_at,
    }


def stop(ticket: Ticket, at: datetime) -> None:
    """Stop the clock (the ticket waits on the client, or is finished). Does not save."""
    if ticket.sla_paused_at is None:
        ticket.sla_paused_at = at


def restart(ticket: Ticket, at: datetime) -> None:
    """Restart a stopped clock: the start, warning and due dates move later by the time it
    was stopped (business time when the target counts business hours). Does not save."""
    paused_at = ticket.sla_paused_at
    if paused_at is None:
        return
    calendar = calendars.default_calendar()
    for field in ("sla_started_at", "sla_warning_at", "due_at"):
        moved = sla.resume_due(
            getattr(ticket, field),
            paused_at,
            at,
            calendar,
            business_hours=ticket.sla_business_hours,
        )
        setattr(ticket, field, moved)
    ticket.sla_paused_at = None


@dataclass(frozen=True)
class TicketSla:
    """What a page shows of a ticket's clock."""

    state: str  # a sla.SlaState value
    # Left until due, negative once overdue (SLA time: business hours, or calendar hours).
    remaining: timedelta
    ratio: float  # of the target used: 0.0 at opening, 1.0 at due, more when breached
    due_at: datetime
    # Seconds of remaining time under which the ticket shows "warning".
    warn_below: int
    # The clock ticks now and keeps ticking until this moment (end of today's business
    # hours, or the due date); None when it does not tick now. For the live countdown.
    ticking_until: datetime | None
    # A stopped clock shows "paused", never "overdue"; a breach that happened before the
    # pause stays visible through this.
    breached_before_pause: bool = False

    @property
    def remaining_seconds(self) -> int:
        return int(self.remaining.total_seconds())


def ticket_sla(ticket: Ticket, *, now: datetime, config=None) -> TicketSla | None:
    """The clock of one ticket at ``now``; None for a finished ticket (no clock to show)."""
    if ticket.status in FINISHED_STATUSES:
        return None
    config = config or calendars.current()
    calendar = config.calendar
    paused = ticket.sla_paused_at is not None
    target = timedelta(hours=ticket.sla_target_hours)
    warning_ratio = config.targets[ticket.severity].warning_ratio
    # A stopped clock is measured when it stopped (its countdown is frozen).
    status = sla.sla_state(
        now,
        ticket.sla_started_at,
        ticket.due_at,
        paused=paused,
        paused_at=ticket.sla_paused_at,
        calendar=calendar,
        business_hours=ticket.sla_business_hours,
        warning_ratio=warning_ratio,
        target=target,
    )
    state = str(status.state)
    breached_before_pause = paused and state == sla.SlaState.BREACHED
    if paused:
        state = str(sla.SlaState.PAUSED)
    return TicketSla(
        state=state,
        breached_before_pause=breached_before_pause,
        remaining=status.remaining - status.overdue,
        ratio=status.ratio,
        due_at=ticket.due_at,
        warn_below=int(target.total_seconds() * (1 - warning_ratio)),
        ticking_until=None if paused else _ticking_until(ticket, now, calendar),
    )


def attach_sla(tickets, *, now: datetime | None = None):
    """Set ``ticket.sla`` (a TicketSla or None) on each ticket; no database query."""
    now = now or timezone.now()
    config = calendars.current()
    tickets = list(tickets)
    for ticket in tickets:
        ticket.sla = ticket_sla(ticket, now=now, config=config)
    return tickets


def _ticking_until(ticket: Ticket, now: datetime, calendar) -> datetime | None:
    if not ticket.sla_business_hours:
        return None if ticket.due_at <= now else ticket.due_at
    if not sla.is_open(now, calendar):
        return None
    local = now.astimezone(calendar.tz)
    end = None
    for opens, closes in calendar.weekly_hours.get(local.weekday(), ()):
        if opens <= local.time() and (local.time() < closes or closes == time(0)):
            day = local.date() + timedelta(days=1) if closes == time(0) else local.date()
            end = datetime.combine(day, closes, tzinfo=calendar.tz)
    if end is None:
        return None
    for closure_start, _closure_end in calendar.closures:
        if now < closure_start < end:
            end = closure_start
    return end
