"""The period a report covers, read from the query string: bounded, never a 500."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

# The longest period a report covers (days): about five years.
MAX_DAYS = 5 * 366


@dataclass(frozen=True)
class Period:
    start: date  # first day, included
    end: date  # last day, included
    problems: tuple = field(default=())  # messages for people about what was corrected

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_at(self) -> datetime:
        """The moment after the last day (exclusive bound)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def months(self) -> list[date]:
        """First day of every month the period touches, in order."""
        months, cursor = [], self.start.replace(day=1)
        while cursor <= self.end:
            months.append(cursor)
            cursor = (cursor + timedelta(days=32)).replace(day=1)
        return months


def this_month(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(start=today.replace(day=1), end=today)


def last_months(count: int, today: date | None = None) -> Period:
    """The current month and the ``count - 1`` before it."""
    today = today or timezone.localdate()
    start = today.replace(day=1)
    for _i in range(count - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return Period(start=start, end=today)


def _parse(value: str | None) -> date | bool | None:
    if not value:
        return None
    try:
        parsed = parse_date(value[:10].strip())
    except ValueError:
        parsed = None
    return parsed if parsed and date(1900, 1, 1) <= parsed <= date(2999, 12, 31) else False


def period_from(params, default: Period | None = None) -> Period:
    """The period of ``params`` (``start``, ``end``: ISO dates). A bad date, a reversed
    period or one longer than MAX_DAYS falls back or is cut, with a message saying so."""
    default = default or this_month()
    start, end = _parse(params.get("start")), _parse(params.get("end"))
    problems = []
    if start is False or end is False:
        problems.append(_("A date was not understood (use YYYY-MM-DD); showing this month."))
        return Period(default.start, default.end, tuple(problems))
    if start is None and end is None:
        return default
    start = start or (end - timedelta(days=30))
    end = end or max(start, timezone.localdate())
    if end < start:
        problems.append(_("The period ended before it started; the dates were swapped."))
        start, end = end, start
    if (end - start).days + 1 > MAX_DAYS:
        problems.append(_("A report covers at most five years; the period was shortened."))
        start = end - timedelta(days=MAX_DAYS - 1)
    return Period(start, end, tuple(problems))
