"""Resolution targets: due dates, pauses, and the state of the countdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from tickets.sla.calendars import Calendar, default_calendar, ensure_aware
from tickets.sla.clock import ZERO, add_business_time, add_elapsed_time, business_time_between
from tickets.sla.errors import SlaError, UnknownSeverityError


class Severity(StrEnum):
    """How badly the client is hit; equal to (and interchangeable with) its plain string."""

    CRITICAL = "critical"  # the application cannot be used
    MAJOR = "major"  # an essential part cannot be used
    MINOR = "minor"  # a non-essential part cannot be used


class SlaState(StrEnum):
    """Colour of the countdown."""

    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    PAUSED = "paused"


# Hours to resolve, per severity (business hours by default, see SPEC "Tickets and SLA").
DEFAULT_TARGET_HOURS: dict[str, int] = {
    Severity.CRITICAL.value: 8,
    Severity.MAJOR.value: 24,
    Severity.MINOR.value: 72,
}
DEFAULT_WARNING_RATIO = 0.75


def _severity(severity: str) -> Severity:
    try:
        return Severity(severity)
    except ValueError:
        raise UnknownSeverityError(
            f"severity must be one of {', '.join(Severity)}, not {severity!r}"
        ) from None


def _target(severity: str, target_hours: float | Decimal | None) -> timedelta:
    hours = DEFAULT_TARGET_HOURS[_severity(severity)] if target_hours is None else target_hours
    if isinstance(hours, bool) or not isinstance(hours, int | float | Decimal):
        raise TypeError(f"target_hours must be a number of hours, not {hours!r}")
    if isinstance(hours, Decimal):  # e.g. from a DecimalField
        hours = float(hours)
    if hours < 0:
        raise SlaError(f"target_hours must not be negative: {hours}")
    return timedelta(hours=hours)


def _add(
    start: datetime, duration: timedelta, calendar: Calendar, business_hours: bool
) -> datetime:
    if business_hours:
        return add_business_time(start, duration, calendar)
    return add_elapsed_time(start, duration).astimezone(calendar.tz)


def _between(start: datetime, end: datetime, calendar: Calendar, business_hours: bool) -> timedelta:
    if business_hours:
        return business_time_between(start, end, calendar)
    # In UTC: two datetimes of the same zone subtract as wall times, summer time ignored.
    return max(_utc(end, "end") - _utc(start, "start"), ZERO)


def _utc(moment: datetime, name: str) -> datetime:
    return ensure_aware(moment, name).astimezone(UTC)


def resolution_due(
    opened_at: datetime,
    severity: str,
    calendar: Calendar | None = None,
    *,
    target_hours: float | Decimal | None = None,
    business_hours: bool = True,
) -> datetime:
    """Aware moment (in the calendar's zone) when a ticket's resolution target is reached.

    Counts ``target_hours`` (default ``DEFAULT_TARGET_HOURS[severity]``) of business time
    from ``opened_at`` on ``calendar`` (``None``: ``default_calendar()``), or of real elapsed
    time when ``business_hours`` is False. A ticket opened while closed counts from the next
    opening. Raises UnknownSeverityError, NaiveDatetimeError, SlaError (negative target),
    NoOpeningHoursError.
    """
    calendar = default_calendar() if calendar is None else calendar
    target = _target(severity, target_hours)
    return _add(ensure_aware(opened_at, "opened_at"), target, calendar, business_hours)


def resume_due(
    due_at: datetime,
    paused_at: datetime,
    resumed_at: datetime,
    calendar: Calendar | None,
    *,
    business_hours: bool = True,
) -> datetime:
    """The due date after a pause of the clock from ``paused_at`` to ``resumed_at``.

    The due date moves later by the business (or, with ``business_hours=False``, elapsed)
    time that passed during the pause: a pause over a night or a weekend moves it by nothing
    or little. A zero-length pause returns ``due_at`` unchanged. ``calendar=None`` uses
    ``default_calendar()``. Raises NaiveDatetimeError, SlaError (``resumed_at`` before
    ``paused_at``).
    """
    calendar = default_calendar() if calendar is None else calendar
    ensure_aware(due_at, "due_at")
    if _utc(resumed_at, "resumed_at") < _utc(paused_at, "paused_at"):
        raise SlaError(f"resumed_at {resumed_at} is before paused_at {paused_at}")
    paused_for = _between(paused_at, resumed_at, calendar, business_hours)
    return _add(due_at, paused_for, calendar, business_hours)


def warning_at(
    opened_at: datetime,
    due_at: datetime,
    calendar: Calendar | None = None,
    *,
    business_hours: bool = True,
    warning_ratio: float = DEFAULT_WARNING_RATIO,
) -> datetime:
    """The moment ``warning_ratio`` of the time from ``opened_at`` to ``due_at`` is used.

    For a ticket never paused this is when ``sla_state`` turns to warning (the 75 % email).
    Raises NaiveDatetimeError, SlaError (ratio outside 0..1).
    """
    _check_ratio(warning_ratio)
    calendar = default_calendar() if calendar is None else calendar
    total = _between(opened_at, due_at, calendar, business_hours)
    return _add(opened_at, total * warning_ratio, calendar, business_hours)


def _check_ratio(ratio: float) -> None:
    if not 0 <= ratio <= 1:
        raise SlaError(f"warning_ratio must be between 0 and 1: {ratio}")


@dataclass(frozen=True)
class SlaStatus:
    """The countdown of one ticket at one moment. Durations are business (or elapsed) time."""

    state: SlaState
    target: timedelta  # the whole allowance, opened → due (or the ``target`` given)
    consumed: timedelta  # used so far, overdue time included
    remaining: timedelta  # left until due; zero once breached
    overdue: timedelta  # past due; zero before
    ratio: float  # consumed / target: 0.0 at opening, 1.0 at due, above 1 when breached

    @property
    def percent(self) -> int:
        """``ratio`` as a whole percentage, capped at 100, for a progress bar."""
        return min(100, int(self.ratio * 100))


def sla_state(
    now: datetime,
    opened_at: datetime,
    due_at: datetime,
    *,
    paused: bool,
    calendar: Calendar | None = None,
    business_hours: bool = True,
    warning_ratio: float = DEFAULT_WARNING_RATIO,
    target: timedelta | None = None,
    paused_at: datetime | None = None,
) -> SlaStatus:
    """State and figures of the countdown at ``now``.

    ``breached`` from ``due_at`` on; ``warning`` once ``warning_ratio`` of the target is
    consumed; ``paused`` while the clock waits on the client; ``ok`` otherwise. A paused
    ticket is measured at ``paused_at`` when given (its countdown is frozen) and shows
    ``breached`` only if it was already breached then; without ``paused_at`` it is
    ``paused`` and measured at ``now``.

    ``target`` (the severity's allowance, e.g. ``timedelta(hours=8)``) should be given
    once the ticket has been paused: ``due_at`` then lies later than ``opened_at +
    target``, and only ``target`` tells the consumed share exactly. Without it the
    allowance is the time from ``opened_at`` to ``due_at``.
    Raises NaiveDatetimeError, SlaError (ratio outside 0..1).
    """
    _check_ratio(warning_ratio)
    calendar = default_calendar() if calendar is None else calendar
    for name, value in (("now", now), ("opened_at", opened_at), ("due_at", due_at)):
        ensure_aware(value, name)
    measured_at = paused_at if paused and paused_at is not None else now
    ensure_aware(measured_at, "paused_at")
    if target is None:
        target = _between(opened_at, due_at, calendar, business_hours)
    remaining = _between(measured_at, due_at, calendar, business_hours)
    overdue = _between(due_at, measured_at, calendar, business_hours)
    consumed = max(target - remaining, ZERO) + overdue
    breached = _utc(measured_at, "now") >= _utc(due_at, "due_at")
    # A zero target has nothing to consume: it is met at once.
    ratio = consumed / target if target > ZERO else float(breached)
    if paused and not (paused_at is not None and breached):
        state = SlaState.PAUSED
    elif breached:
        state = SlaState.BREACHED
    elif ratio >= warning_ratio:
        state = SlaState.WARNING
    else:
        state = SlaState.OK
    return SlaStatus(
        state=state,
        target=target,
        consumed=consumed,
        remaining=remaining,
        overdue=overdue,
        ratio=ratio,
    )
