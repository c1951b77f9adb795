"""The SLA engine: business calendars and resolution due dates. Pure: no database, no Django.

Plain values in, plain values out; every datetime is timezone-aware (``NaiveDatetimeError``
otherwise) and results are in the calendar's zone::

    from tickets import sla

    due = sla.resolution_due(opened_at, "critical")           # 8 business hours, Madrid
    due = sla.resume_due(due, paused_at, resumed_at, calendar)  # after waiting on the client
    status = sla.sla_state(now, opened_at, due, paused=False, calendar=calendar)

``calendars`` holds the ``Calendar`` (weekly hours, holidays, closures, one zone),
``clock`` counts business time on it, ``targets`` turns severities into due dates.
"""

from tickets.sla.calendars import (
    DEFAULT_CLOSING,
    DEFAULT_OPENING,
    DEFAULT_TIME_ZONE,
    Calendar,
    default_calendar,
    public_holidays,
    spanish_holidays,
)
from tickets.sla.clock import (
    add_business_time,
    add_elapsed_time,
    business_time_between,
    is_open,
    next_opening,
)
from tickets.sla.errors import (
    CalendarError,
    NaiveDatetimeError,
    NoOpeningHoursError,
    SlaError,
    UnknownSeverityError,
)
from tickets.sla.targets import (
    DEFAULT_TARGET_HOURS,
    DEFAULT_WARNING_RATIO,
    Severity,
    SlaState,
    SlaStatus,
    resolution_due,
    resume_due,
    sla_state,
    warning_at,
)

__all__ = [
    "DEFAULT_CLOSING",
    "DEFAULT_OPENING",
    "DEFAULT_TARGET_HOURS",
    "DEFAULT_TIME_ZONE",
    "DEFAULT_WARNING_RATIO",
    "Calendar",
    "CalendarError",
    "NaiveDatetimeError",
    "NoOpeningHoursError",
    "Severity",
    "SlaError",
    "SlaState",
    "SlaStatus",
    "UnknownSeverityError",
    "add_business_time",
    "add_elapsed_time",
    "business_time_between",
    "default_calendar",
    "is_open",
    "next_opening",
    "public_holidays",
    "resolution_due",
    "resume_due",
    "sla_state",
    "spanish_holidays",
    "warning_at",
]
