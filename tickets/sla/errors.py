"""Exceptions of the SLA engine. All are ``ValueError``s: they reject the values passed in."""


class SlaError(ValueError):
    """Base class of every error raised by ``tickets.sla``."""


class NaiveDatetimeError(SlaError):
    """A datetime without a time zone was passed where an aware one is required."""


class CalendarError(SlaError):
    """A business calendar is malformed (bad weekday, interval, closure or holiday region)."""


class NoOpeningHoursError(CalendarError):
    """The calendar never opens, so business time can never be counted."""


class UnknownSeverityError(SlaError):
    """The severity is not one of ``critical``, ``major``, ``minor``."""
